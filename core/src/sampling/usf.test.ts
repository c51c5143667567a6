import { describe, expect, it } from 'vitest';
import { initialNoise } from '../rng';
import { solveDense } from './coefficients';
import { asNoisePredictor, type Denoiser } from './denoiser';
import { createGmm, gaussianDenoiser, gaussianEps, gaussianFlowSolution, gmmDenoiser, isotropicGaussian } from './gaussian';
import { getNoiseSchedule } from './noise-schedules';
import { buildPresetSchedule } from './presets';
import { ZSolverSchedule, scheduleNfe, scheduleTimesteps, type TSolverScheduleInput } from './schedule';
import { planUsf, sampleUsf } from './usf';

/**
 * Identities: the USF implementation against each method's closed form written out here from its
 * paper, on a nonlinear model (a 3-component GMM) so that any structural difference would show.
 */

const ns = getNoiseSchedule('vp-linear');
const B = 3, D = 4;
const gmm = createGmm({
  weights: [0.5, 0.3, 0.2],
  means: [[1, -0.5, 0.3, 0], [-1, 0.8, 0, 0.5], [0.2, 0.2, -1.2, -0.7]],
  variances: [0.05, 0.2, 0.1],
});
const eps64 = gmmDenoiser<Float64Array>(gmm, ns);
const xT = new Float64Array(B * D);
for (let b = 0; b < B; b++) xT.set(initialNoise(42, b, D), b * D);

const lam = (t: number) => ns.lambda(t);
const al = (t: number) => ns.alpha(t);
const sg = (t: number) => ns.sigma(t);
const epsAt = (x: Float64Array, t: number) => eps64(x, t, B) as Float64Array;
const x0At = (x: Float64Array, t: number) => {
  const e = epsAt(x, t);
  return x.map((v, i) => (v - sg(t) * e[i]) / al(t));
};
const lin = (...terms: [number, Float64Array][]) => {
  const out = new Float64Array(terms[0][1].length);
  for (const [c, v] of terms) for (let i = 0; i < out.length; i++) out[i] += c * v[i];
  return out;
};

function expectSame(a: Float64Array, b: Float64Array, rel = 1e-6) {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  expect(num / den).toBeLessThan(rel);
}

async function usf(schedule: ReturnType<typeof ZSolverSchedule.parse>, model: Denoiser<Float64Array> = eps64) {
  let calls = 0;
  const counted: Denoiser<Float64Array> = (x, t, batch) => {
    calls++;
    return model(x, t, batch);
  };
  const r = await sampleUsf({ model: counted, modelInput: 'float64', xT, batch: B, dim: D, schedule });
  expect(r.nfe).toBe(calls);
  expect(r.nfe).toBe(scheduleNfe(schedule));
  return r;
}

describe('first order: DDIM == DPM-Solver-1 == USF order 1 (noise form) == USF order 1 (data form)', () => {
  it('agree to rounding', async () => {
    const nfe = 9;
    const preset = buildPresetSchedule('ddim', nfe);
    const ts = scheduleTimesteps(preset);
    let ddim = Float64Array.from(xT), dpm1 = Float64Array.from(xT);
    for (let i = 0; i < nfe; i++) {
      const s = ts[i], t = ts[i + 1];
      const e = epsAt(ddim, s);
      const x0 = ddim.map((v, k) => (v - sg(s) * e[k]) / al(s));
      ddim = lin([al(t), x0], [sg(t), e]); // DDIM (eta = 0)
      dpm1 = lin([al(t) / al(s), dpm1], [-sg(t) * Math.expm1(lam(t) - lam(s)), epsAt(dpm1, s)]); // DPM-Solver-1
    }
    const noiseForm = await usf(preset);
    const dataForm = await usf(ZSolverSchedule.parse({ ...preset, steps: preset.steps.map((st) => ({ ...st, prediction: 'data' })) }));
    expectSame(dpm1, ddim, 1e-12);
    expectSame(noiseForm.x0, ddim, 1e-12);
    expectSame(dataForm.x0, ddim, 1e-12);
    expect(noiseForm.nfe).toBe(nfe);
  });
});

describe('DPM-Solver++(2M) closed form (Lu et al. 2022, Algorithm 2)', () => {
  it.each([12, 6])('matches the preset at NFE %i (lower order final below 10 steps)', async (nfe) => {
    const preset = buildPresetSchedule('dpmpp-2m', nfe);
    const ts = scheduleTimesteps(preset);
    let x = Float64Array.from(xT);
    const ms = [x0At(x, ts[0])];
    for (let i = 1; i <= nfe; i++) {
      const s = ts[i - 1], t = ts[i], h = lam(t) - lam(s);
      let dTerm = ms[i - 1];
      const lowerFinal = nfe < 10 && i === nfe;
      if (i >= 2 && !lowerFinal) {
        const r = (lam(s) - lam(ts[i - 2])) / h;
        dTerm = lin([1 + 1 / (2 * r), ms[i - 1]], [-1 / (2 * r), ms[i - 2]]);
      }
      x = lin([sg(t) / sg(s), x], [-al(t) * Math.expm1(-h), dTerm]);
      if (i < nfe) ms.push(x0At(x, t));
    }
    expectSame((await usf(preset)).x0, x);
  });
});

/** UniPC-p with B(h) variant, data prediction (Zhao et al. 2023, Algorithms 2-3), written from the paper. */
function unipcReference(ts: number[], order: number, variant: 'bh1' | 'bh2', useCorrector: boolean): Float64Array {
  const n = ts.length - 1;
  let x = Float64Array.from(xT);
  const ms = [x0At(x, ts[0])];
  const lams = [lam(ts[0])];
  for (let step = 1; step <= n; step++) {
    const p = Math.min(order, step, n + 1 - step);
    const corrector = useCorrector && step < n;
    const s = ts[step - 1], t = ts[step];
    const h = lam(t) - lam(s), hh = -h;
    const m0 = ms[ms.length - 1];
    const rks: number[] = [], d1s: Float64Array[] = [];
    for (let i = 1; i < p; i++) {
      const rk = (lams[lams.length - 1 - i] - lams[lams.length - 1]) / h;
      rks.push(rk);
      d1s.push(lin([1 / rk, ms[ms.length - 1 - i]], [-1 / rk, m0]));
    }
    rks.push(1);
    const hPhi1 = Math.expm1(hh);
    const bH = variant === 'bh1' ? hh : Math.expm1(hh);
    let hPhiK = hPhi1 / hh - 1, fact = 1;
    const R: number[][] = [], b: number[] = [];
    for (let i = 1; i <= p; i++) {
      R.push(rks.map((r) => r ** (i - 1)));
      b.push((hPhiK * fact) / bH);
      fact *= i + 1;
      hPhiK = hPhiK / hh - 1 / fact;
    }
    const xt_ = lin([sg(t) / sg(s), x], [-al(t) * hPhi1, m0]);
    let pred = xt_;
    if (p >= 2) {
      const rhosP = p === 2 ? [0.5] : solveDense(R.slice(0, p - 1).map((row) => row.slice(0, p - 1)), b.slice(0, p - 1));
      pred = lin([1, xt_], ...d1s.map((d, k): [number, Float64Array] => [-al(t) * bH * rhosP[k], d]));
    }
    if (corrector) {
      const mt = x0At(pred, t);
      const rhosC = p === 1 ? [0.5] : solveDense(R, b);
      x = lin([1, xt_], ...d1s.map((d, k): [number, Float64Array] => [-al(t) * bH * rhosC[k], d]), [-al(t) * bH * rhosC[p - 1], lin([1, mt], [-1, m0])]);
      ms.push(mt);
    } else {
      x = pred;
      if (step < n) ms.push(x0At(x, t));
    }
    lams.push(lam(t));
  }
  return x;
}

describe('UniPC closed form (predictor UniP-p + corrector UniC)', () => {
  it.each([
    ['unipc-bh2', 2, 10],
    ['unipc-bh2', 3, 10],
    ['unipc-bh1', 2, 7],
    ['unipc-bh1', 3, 12],
    ['unipc-bh2', 1, 6],
    ['unipc-bh2-noc', 3, 9],
  ] as const)('%s order %i matches the preset at NFE %i', async (preset, order, nfe) => {
    const schedule = buildPresetSchedule(preset, nfe, { order });
    const ref = unipcReference(scheduleTimesteps(schedule), order, preset.includes('bh1') ? 'bh1' : 'bh2', !preset.endsWith('-noc'));
    expectSame((await usf(schedule)).x0, ref);
  });

  it('the corrector costs no model evaluation', async () => {
    const withC = await usf(buildPresetSchedule('unipc-bh2', 10));
    const without = await usf(buildPresetSchedule('unipc-bh2-noc', 10));
    expect(withC.nfe).toBe(10);
    expect(without.nfe).toBe(10);
    // ... and it does change (improve) the result against a fine reference
    const fine = await usf(buildPresetSchedule('dpmpp-3m-exact', 400));
    const err = (a: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - fine.x0[i])));
    expect(err(withC.x0)).toBeLessThan(err(without.x0));
    const custom = (corrector: boolean) => ZSolverSchedule.parse({
      noiseSchedule: 'vp-linear', timesteps: { spacing: 'logSNR' },
      steps: [1, 2, 2, 2, 1].map((order, i) => ({ prediction: 'noise', order, corrector: corrector && i < 4, intermediate: i === 2 ? [{ r: 0.5, order: 2 }] : [] })),
    });
    expect((await usf(custom(true))).nfe).toBe((await usf(custom(false))).nfe);
  });
});

describe('DPM-Solver singlestep closed forms (Lu et al. 2022, Algorithms 1 and 2)', () => {
  it('DPM-Solver-2 (r1 = 1/2) matches the preset', async () => {
    const schedule = buildPresetSchedule('dpm-solver-2', 8);
    const ts = scheduleTimesteps(schedule);
    let x = Float64Array.from(xT);
    for (let i = 0; i < ts.length - 1; i++) {
      const s = ts[i], t = ts[i + 1], h = lam(t) - lam(s);
      const s1 = ns.inverseLambda(lam(s) + 0.5 * h);
      const es = epsAt(x, s);
      const u = lin([al(s1) / al(s), x], [-sg(s1) * Math.expm1(0.5 * h), es]);
      const e1 = epsAt(u, s1);
      x = lin([al(t) / al(s), x], [-sg(t) * Math.expm1(h), es], [-(sg(t) / (2 * 0.5)) * Math.expm1(h), lin([1, e1], [-1, es])]);
    }
    expectSame((await usf(schedule)).x0, x);
  });

  it('DPM-Solver-3 (r1 = 1/3, r2 = 2/3) matches the preset', async () => {
    const schedule = buildPresetSchedule('dpm-solver-3', 9); // orders [3, 3, 2, 1]
    expect(schedule.steps.map((s) => s.intermediate.length + 1)).toEqual([3, 3, 2, 1]);
    const ts = scheduleTimesteps(schedule);
    const r1 = 1 / 3, r2 = 2 / 3;
    let x = Float64Array.from(xT);
    for (let i = 0; i < 2; i++) {
      const s = ts[i], t = ts[i + 1], h = lam(t) - lam(s);
      const s1 = ns.inverseLambda(lam(s) + r1 * h), s2 = ns.inverseLambda(lam(s) + r2 * h);
      const phi11 = Math.expm1(r1 * h), phi12 = Math.expm1(r2 * h), phi1 = Math.expm1(h);
      const phi22 = Math.expm1(r2 * h) / (r2 * h) - 1, phi2 = phi1 / h - 1;
      const es = epsAt(x, s);
      const u1 = lin([al(s1) / al(s), x], [-sg(s1) * phi11, es]);
      const e1 = epsAt(u1, s1);
      const u2 = lin([al(s2) / al(s), x], [-sg(s2) * phi12, es], [-(r2 / r1) * sg(s2) * phi22, lin([1, e1], [-1, es])]);
      const e2 = epsAt(u2, s2);
      x = lin([al(t) / al(s), x], [-sg(t) * phi1, es], [-(1 / r2) * sg(t) * phi2, lin([1, e2], [-1, es])]);
    }
    // The two order-3 steps; the order-2 tail step is DPM-Solver-2, checked above.
    const prefix = ZSolverSchedule.parse({ ...schedule, timesteps: { spacing: 'explicit', values: ts.slice(0, 3) }, steps: schedule.steps.slice(0, 2) });
    expectSame((await usf(prefix)).x0, x);
  });
});

describe('DEIS tAB closed form (Zhang & Chen 2022): Lagrange basis in t against d(sigma/alpha)', () => {
  it('deis-tab2 matches the preset', async () => {
    const nfe = 7;
    const schedule = buildPresetSchedule('deis-tab2', nfe);
    const ts = scheduleTimesteps(schedule);
    // rho = sigma/alpha; for VP linear d rho/dt = -(d log alpha/dt) e^{-2 log alpha} / rho
    const rhoDot = (t: number) => {
      const la = ns.logAlpha(t), dla = -0.5 * 19.9 * t - 0.05;
      return (-dla * Math.exp(-2 * la)) / Math.sqrt(Math.expm1(-2 * la));
    };
    const simpson = (f: (t: number) => number, a: number, b: number) => {
      const n = 4000, hq = (b - a) / n;
      let s = f(a) + f(b);
      for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(a + k * hq);
      return (s * hq) / 3;
    };
    let x = Float64Array.from(xT);
    const es: Float64Array[] = [];
    for (let i = 0; i < nfe; i++) {
      es.push(epsAt(x, ts[i]));
      const k = Math.min(i, 2);
      const nodes = Array.from({ length: k + 1 }, (_, j) => ts[i - j]);
      const terms: [number, Float64Array][] = [[al(ts[i + 1]) / al(ts[i]), x]];
      nodes.forEach((tj, j) => {
        const ell = (tau: number) => nodes.reduce((p, tm, m) => (m === j ? p : (p * (tau - tm)) / (tj - tm)), 1);
        terms.push([al(ts[i + 1]) * simpson((tau) => rhoDot(tau) * ell(tau), ts[i], ts[i + 1]), es[i - j]]);
      });
      x = lin(...terms);
    }
    expectSame((await usf(schedule)).x0, x, 1e-8);
  });
});

describe('sampler mechanics', () => {
  it('analytic first step saves one NFE and is exact for standardized data N(0, I)', async () => {
    const std = isotropicGaussian([0, 0, 0, 0], 1);
    const model = gaussianDenoiser<Float64Array>(std, ns);
    const base = buildPresetSchedule('dpmpp-3m', 10);
    const afs = ZSolverSchedule.parse({ ...base, analyticFirstStep: true });
    const a = await usf(base, model), b = await usf(afs, model);
    expect(b.nfe).toBe(a.nfe - 1);
    expectSame(b.x0, a.x0, 1e-12);
  });

  it('runs float32 models (the ONNX path) to float32 accuracy', async () => {
    const schedule = buildPresetSchedule('unipc-bh2', 12);
    const model32: Denoiser<Float32Array> = (x, t) => Float32Array.from(gmmDenoiser<Float32Array>(gmm, ns)(x, t, B) as Float64Array);
    const r32 = await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule });
    expectSame(r32.x0, (await usf(schedule)).x0, 1e-5);
  });

  it('calls onStep once per step with decreasing times and validates shapes', async () => {
    const schedule = buildPresetSchedule('dpm-solver-3', 8);
    const seen: number[] = [];
    await sampleUsf({ model: eps64, modelInput: 'float64', xT, batch: B, dim: D, schedule, onStep: (i, t) => seen.push(i, t) });
    const ts = scheduleTimesteps(schedule);
    expect(seen).toEqual(ts.slice(1).flatMap((t, i) => [i, t]));
    await expect(sampleUsf({ model: eps64, modelInput: 'float64', xT, batch: B + 1, dim: D, schedule })).rejects.toThrow(/xT has 12 values/);
    const bad: Denoiser<Float64Array> = () => new Float64Array(3);
    await expect(sampleUsf({ model: bad, modelInput: 'float64', xT, batch: B, dim: D, schedule })).rejects.toThrow(/model returned 3 values/);
    expect(() => planUsf(schedule, getNoiseSchedule('vp-cosine'))).toThrow(/written for vp-linear/);
    const handMade = { ...schedule, steps: schedule.steps.map((st) => ({ ...st, corrector: true })) };
    expect(() => planUsf(handMade)).toThrow(/steps\.\d+\.corrector: step \d+ is the last step/);
  });

  it('mixes prediction types, singlestep and multistep steps in one schedule (S^3 style) and still converges', async () => {
    const g = isotropicGaussian([0.7, -1.2, 0.3, 2.0], 0.5);
    const model = gaussianDenoiser<Float64Array>(g, ns);
    const err = async (steps: number) => {
      const doc: TSolverScheduleInput = {
        noiseSchedule: 'vp-linear',
        timesteps: { spacing: 'time-quadratic', tEnd: 0.1 },
        steps: Array.from({ length: steps }, (_, i) => i % 3 === 0
          ? { prediction: 'noise', order: 2, intermediate: [{ r: 0.5, order: 1 }], relaxation: 'dpmsolver-2' }
          : { prediction: i % 3 === 1 ? 'data' : 'noise', order: Math.min(i + 1, 3), corrector: i < steps - 1 }),
      };
      const schedule = ZSolverSchedule.parse(doc);
      const r = await usf(schedule, model);
      const exact = gaussianFlowSolution(g, ns, xT, 1, 0.1);
      return Math.max(...r.x0.map((v, i) => Math.abs(v - exact[i])));
    };
    // Its lowest-order parts (the DPM-Solver-2 steps) make it second order overall.
    const e48 = await err(48), e96 = await err(96), e192 = await err(192);
    expect(e192).toBeLessThan(2e-5);
    expect(Math.log2(e96 / e192)).toBeCloseTo(2, 1);
    expect(Math.log2(e48 / e96)).toBeGreaterThan(1.8);
  });

  it('asNoisePredictor converts data, v and score models to eps', async () => {
    const g = isotropicGaussian([0.5, -0.5, 1, 0], 0.7);
    const t = 0.37, a = ns.alpha(t), s = ns.sigma(t);
    const x = xT;
    const eps = gaussianEps(g, x, a, s);
    const x0 = x.map((v, i) => (v - s * eps[i]) / a);
    const v = eps.map((e, i) => a * e - s * x0[i]);
    const score = eps.map((e) => -e / s);
    for (const [kind, out] of [['data', x0], ['v', v], ['score', score], ['noise', eps]] as const) {
      const wrapped = asNoisePredictor<Float64Array>(() => out, kind, ns);
      expectSame((await wrapped(x, t, B)) as Float64Array, eps, 1e-12);
      // Given an output buffer, the converted eps is written there (the sampler's float32 arena).
      if (kind !== 'noise') {
        const into = new Float64Array(x.length);
        expect(await wrapped(x, t, B, into)).toBe(into);
        expectSame(into, eps, 1e-12);
      }
    }
  });
});
