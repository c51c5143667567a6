import { describe, expect, it } from 'vitest';
import { initialNoise } from '../rng';
import type { Denoiser } from './denoiser';
import { createGmm, gmmDenoiser } from './gaussian';
import { getNoiseSchedule } from './noise-schedules';
import { buildPresetSchedule, singlestepFractions, type PresetName, type PresetOptions } from './presets';
import type { TSolverSchedule } from './schedule';
import { makeTimesteps, type SpacingName } from './spacings';
import { planUsf, sampleUsf, type PlannedUpdate, type UsfPlan } from './usf';

/**
 * Parity with the official implementations. A preset that bears a published name must give the
 * endpoints of that solver's own code for the same model, noise and timesteps. `official` below
 * re-derives, step by step, what DPM-Solver's reference sampler (dpm_solver_pytorch.py,
 * DPM_Solver.sample with solver_type 'dpmsolver'; diffusers' DPMSolverMultistepScheduler makes the
 * same multistep updates) computes: its timestep rules (get_time_steps, the singlestep order split,
 * the inner points of a singlestep step) and its update formulas, written in its own D1/D2 form
 * rather than through Stepwise's moments, so a convention that drifts on either side shows.
 *
 * Each preset is also checked against the other convention: the parity test has to be able to fail.
 */

const ns = getNoiseSchedule('vp-linear');
const D = 12, K = 5, B = 4;
const gmm = createGmm({
  weights: [0.3, 0.25, 0.2, 0.15, 0.1],
  means: Array.from({ length: K }, (_, k) => Array.from(initialNoise(101, k, D), (v) => 1.5 * v)),
  variances: [0.02, 0.05, 0.1, 0.2, 0.04],
});
const eps64 = gmmDenoiser<Float64Array>(gmm, ns);
const xT = new Float64Array(B * D);
for (let b = 0; b < B; b++) xT.set(initialNoise(3, b, D), b * D);
const T_START = 1, T_END = 1e-3;

const lam = (t: number) => ns.lambda(t);
const logA = (t: number) => ns.logAlpha(t);
const al = (t: number) => ns.alpha(t);
const sg = (t: number) => ns.sigma(t);
const lin = (...terms: [number, Float64Array][]) => {
  const out = new Float64Array(terms[0][1].length);
  for (const [c, v] of terms) for (let i = 0; i < out.length; i++) out[i] += c * v[i];
  return out;
};
const sub = (a: Float64Array, b: Float64Array) => lin([1, a], [-1, b]);

type Algorithm = 'dpmsolver' | 'dpmsolver++';
type SkipType = 'logSNR' | 'time_uniform' | 'time_quadratic';
const SKIP: Record<SkipType, SpacingName> = { logSNR: 'logSNR', time_uniform: 'time-uniform', time_quadratic: 'time-quadratic' };

/** The official get_time_steps: N + 1 times from tT down to t0. */
function getTimeSteps(skip: SkipType, tT: number, t0: number, n: number): number[] {
  const linspace = (a: number, b: number) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  switch (skip) {
    case 'logSNR': return linspace(lam(tT), lam(t0)).map((l) => ns.inverseLambda(l));
    case 'time_uniform': return linspace(tT, t0);
    case 'time_quadratic': return linspace(Math.sqrt(tT), Math.sqrt(t0)).map((v) => v * v);
  }
}

interface OfficialRun {
  x: Float64Array;
  /** Every time the model was called at, in order. */
  calls: number[];
}

/** DPM_Solver.sample(x, steps, t_start=1, t_end=1e-3, order, skip_type, method), solver_type 'dpmsolver'. */
function official(algorithm: Algorithm, method: 'singlestep' | 'multistep', order: 1 | 2 | 3, steps: number, skip: SkipType): OfficialRun {
  const calls: number[] = [];
  const model = (x: Float64Array, t: number): Float64Array => {
    calls.push(t);
    const e = eps64(x, t, B) as Float64Array;
    return algorithm === 'dpmsolver' ? e : x.map((v, i) => (v - sg(t) * e[i]) / al(t));
  };
  // x_t = A x + C m_s, the first-order update (DDIM) in either form, with its phi_1.
  const first = (s: number, t: number) => {
    const h = lam(t) - lam(s);
    return algorithm === 'dpmsolver'
      ? { A: Math.exp(logA(t) - logA(s)), C: -sg(t) * Math.expm1(h), phi1: Math.expm1(h), w: -sg(t) }
      : { A: sg(t) / sg(s), C: -al(t) * Math.expm1(-h), phi1: Math.expm1(-h), w: -al(t) };
  };
  let x = Float64Array.from(xT);

  if (method === 'multistep') {
    const ts = getTimeSteps(skip, T_START, T_END, steps);
    const tPrev = [ts[0]], mPrev = [model(x, ts[0])];
    const update = (t: number, o: number) => {
      const t0 = tPrev[tPrev.length - 1], m0 = mPrev[mPrev.length - 1];
      const f = first(t0, t);
      const h = lam(t) - lam(t0);
      if (o === 1) return lin([f.A, x], [f.C, m0]);
      const t1 = tPrev[tPrev.length - 2], m1 = mPrev[mPrev.length - 2];
      const r0 = (lam(t0) - lam(t1)) / h;
      const d10 = lin([1 / r0, sub(m0, m1)]);
      if (o === 2) return lin([f.A, x], [f.C, m0], [0.5 * f.w * f.phi1, d10]);
      const t2 = tPrev[tPrev.length - 3], m2 = mPrev[mPrev.length - 3];
      const r1 = (lam(t1) - lam(t2)) / h;
      const d11 = lin([1 / r1, sub(m1, m2)]);
      const dd = sub(d10, d11);
      const D1 = lin([1, d10], [r0 / (r0 + r1), dd]);
      const D2 = lin([1 / (r0 + r1), dd]);
      // phi_2 = phi_1/h + 1 (data) or phi_1/h - 1 (noise); phi_3 = phi_2/h - 1/2 in both.
      const phi2 = algorithm === 'dpmsolver' ? f.phi1 / h - 1 : f.phi1 / h + 1;
      const phi3 = phi2 / h - 0.5;
      return algorithm === 'dpmsolver'
        ? lin([f.A, x], [f.C, m0], [-sg(t) * phi2, D1], [-sg(t) * phi3, D2])
        : lin([f.A, x], [f.C, m0], [al(t) * phi2, D1], [-al(t) * phi3, D2]);
    };
    for (let step = 1; step < order; step++) {
      x = update(ts[step], step);
      tPrev.push(ts[step]);
      mPrev.push(model(x, ts[step]));
    }
    for (let step = order; step <= steps; step++) {
      const o = steps < 10 ? Math.min(order, steps + 1 - step) : order; // lower_order_final=True
      x = update(ts[step], o);
      tPrev.push(ts[step]);
      if (step < steps) mPrev.push(model(x, ts[step]));
    }
    return { x, calls };
  }

  // singlestep ("DPM-Solver-fast"), noise prediction as in Stepwise's dpm-solver-2/3
  let orders: number[];
  if (order === 3) {
    const k = Math.floor(steps / 3) + 1;
    orders = steps % 3 === 0 ? [...Array<number>(k - 2).fill(3), 2, 1] : steps % 3 === 1 ? [...Array<number>(k - 1).fill(3), 1] : [...Array<number>(k - 1).fill(3), 2];
  } else if (order === 2) {
    orders = steps % 2 === 0 ? Array<number>(steps / 2).fill(2) : [...Array<number>(Math.floor(steps / 2)).fill(2), 1];
  } else orders = Array<number>(steps).fill(1);
  let outer: number[];
  if (skip === 'logSNR') outer = getTimeSteps(skip, T_START, T_END, orders.length);
  else {
    const fine = getTimeSteps(skip, T_START, T_END, steps);
    let at = 0;
    outer = [fine[0], ...orders.map((o) => fine[(at += o)])];
  }
  orders.forEach((o, step) => {
    const s = outer[step], t = outer[step + 1];
    const inner = getTimeSteps(skip, s, t, o).map(lam);
    const h = inner[o] - inner[0];
    const r1 = o >= 2 ? (inner[1] - inner[0]) / h : 0.5;
    const r2 = o >= 3 ? (inner[2] - inner[0]) / h : 2 / 3;
    const ms = model(x, s);
    const f = first(s, t);
    if (o === 1) {
      x = lin([f.A, x], [f.C, ms]);
      return;
    }
    if (algorithm !== 'dpmsolver') throw new Error('only the noise-prediction singlestep solver is a preset');
    const s1 = ns.inverseLambda(lam(s) + r1 * h);
    const xs1 = lin([Math.exp(logA(s1) - logA(s)), x], [-sg(s1) * Math.expm1(r1 * h), ms]);
    const ms1 = model(xs1, s1);
    if (o === 2) {
      x = lin([f.A, x], [f.C, ms], [-(0.5 / r1) * sg(t) * f.phi1, sub(ms1, ms)]);
      return;
    }
    const s2 = ns.inverseLambda(lam(s) + r2 * h);
    const phi22 = Math.expm1(r2 * h) / (r2 * h) - 1, phi2 = f.phi1 / h - 1;
    const xs2 = lin([Math.exp(logA(s2) - logA(s)), x], [-sg(s2) * Math.expm1(r2 * h), ms], [-(r2 / r1) * sg(s2) * phi22, sub(ms1, ms)]);
    const ms2 = model(xs2, s2);
    x = lin([f.A, x], [f.C, ms], [-(1 / r2) * sg(t) * phi2, sub(ms2, ms)]);
  });
  return { x, calls };
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

async function stepwise(preset: PresetName, nfe: number, options: PresetOptions = {}): Promise<{ x: Float64Array; calls: number[] }> {
  const calls: number[] = [];
  const model: Denoiser<Float64Array> = (x, t, batch) => {
    calls.push(t);
    return eps64(x, t, batch);
  };
  const schedule = buildPresetSchedule(preset, nfe, options);
  const r = await sampleUsf({ model, modelInput: 'float64', xT, batch: B, dim: D, schedule });
  return { x: r.x0, calls };
}

/** Preset -> the official call it must reproduce. */
const OFFICIAL: Array<[PresetName, Algorithm, 'singlestep' | 'multistep', 1 | 2 | 3]> = [
  ['ddim', 'dpmsolver', 'multistep', 1],
  ['dpm-solver-2', 'dpmsolver', 'singlestep', 2],
  ['dpm-solver-3', 'dpmsolver', 'singlestep', 3],
  ['dpmpp-2m', 'dpmsolver++', 'multistep', 2],
  ['dpmpp-3m', 'dpmsolver++', 'multistep', 3],
];
const NFES = [5, 6, 7, 8, 9, 10, 11, 12, 15, 20];

describe('presets reproduce the official DPM-Solver / DPM-Solver++ endpoints (GMM D = 12, K = 5, float64)', () => {
  for (const [preset, algorithm, method, order] of OFFICIAL) {
    for (const skip of ['logSNR', 'time_uniform', 'time_quadratic'] as const) {
      it(`${preset} = ${algorithm} ${method} order ${order}, skip_type ${skip}, NFE ${NFES.join('/')}`, async () => {
        for (const nfe of NFES) {
          const ref = official(algorithm, method, order, nfe, skip);
          const got = await stepwise(preset, nfe, { spacing: SKIP[skip] });
          // Same model times (so the same intermediate points), same endpoint.
          expect(got.calls.length).toBe(ref.calls.length);
          got.calls.forEach((t, i) => expect(Math.abs(t - ref.calls[i])).toBeLessThan(1e-13));
          // Rounding only: 1e-15 to 1e-13 mostly; the long steps at NFE 5-8 amplify ulp differences to 2e-12.
          expect(relDiff(got.x, ref.x)).toBeLessThan(1e-11);
        }
      });
    }
  }
});

describe('the parity tests can fail: the other conventions are far from the official endpoints', () => {
  it('dpmpp-3m-exact (exact third-order weights) differs from the official 3M', async () => {
    for (const nfe of [5, 10, 20]) {
      const ref = official('dpmsolver++', 'multistep', 3, nfe, 'logSNR');
      expect(relDiff((await stepwise('dpmpp-3m-exact', nfe)).x, ref.x)).toBeGreaterThan(1e-4);
    }
  });

  it('fixed lambda fractions differ from the official singlestep points for time-uniform and time-quadratic spacing', async () => {
    for (const preset of ['dpm-solver-2', 'dpm-solver-3'] as const) {
      for (const skip of ['time_uniform', 'time_quadratic'] as const) {
        const ref = official('dpmsolver', 'singlestep', preset === 'dpm-solver-2' ? 2 : 3, 10, skip);
        const got = await stepwise(preset, 10, { spacing: SKIP[skip], intermediatePoints: 'lambda-fractions' });
        expect(relDiff(got.x, ref.x)).toBeGreaterThan(1e-4);
      }
    }
  });
});

/** sum of an update's weights against values f(lambda) at its points. */
function applyToValues(plan: UsfPlan, stepIndex: number, u: PlannedUpdate, f: (l: number) => number): number {
  const l0 = plan.lambdas[stepIndex];
  let sum = u.startWeight * f(l0);
  for (const term of u.terms) {
    if (term.point.kind !== 'outer') throw new Error('expected a multistep update');
    sum += term.weight * f(plan.lambdas[term.point.index]);
  }
  return sum;
}

describe('one third-order multistep step on data exactly quadratic in lambda', () => {
  // f(lambda_s + v) = a + b v + c v^2 integrated against the data-form kernel e^{-(h - v)} on [0, h]:
  //   int e^{-(h-v)} = 1 - e^{-h},  int v e^{-(h-v)} = h - 1 + e^{-h},  int v^2 e^{-(h-v)} = h^2 - 2h + 2 - 2e^{-h}.
  const a = 0.4, b = -1.3, c = 0.55;
  const stepIndex = 4; // order 3 at NFE 12 (after the order-1 and order-2 warm-up)
  const quadratic = (plan: UsfPlan) => (l: number) => {
    const v = l - plan.lambdas[stepIndex];
    return a + b * v + c * v * v;
  };
  const moments = (plan: UsfPlan) => {
    const h = plan.lambdas[stepIndex + 1] - plan.lambdas[stepIndex];
    const e = Math.exp(-h);
    return { alphaT: al(plan.timesteps[stepIndex + 1]), m0: -Math.expm1(-h), m1: h - 1 + e, m2: h * h - 2 * h + 2 - 2 * e };
  };

  it('dpmpp-3m-exact integrates it exactly (the exact third-order method, closed form)', () => {
    for (const spacing of ['logSNR', 'time-uniform', 'karras'] as const) {
      const plan = planUsf(buildPresetSchedule('dpmpp-3m-exact', 12, { spacing }));
      const u = plan.steps[stepIndex].final;
      expect(u.order).toBe(3);
      const { alphaT, m0, m1, m2 } = moments(plan);
      const exact = alphaT * (a * m0 + b * m1 + c * m2);
      expect(Math.abs(applyToValues(plan, stepIndex, u, quadratic(plan)) - exact)).toBeLessThan(1e-13 * Math.abs(exact) + 1e-15);
    }
  });

  it('dpmpp-3m gives the official update: the second-order term at half its exact weight', () => {
    for (const spacing of ['logSNR', 'time-uniform', 'karras'] as const) {
      const plan = planUsf(buildPresetSchedule('dpmpp-3m', 12, { spacing }));
      const u = plan.steps[stepIndex].final;
      expect(u.order).toBe(3);
      const { alphaT, m0, m1, m2 } = moments(plan);
      const officialValue = alphaT * (a * m0 + b * m1 + (c * m2) / 2);
      const exact = alphaT * (a * m0 + b * m1 + c * m2);
      const got = applyToValues(plan, stepIndex, u, quadratic(plan));
      expect(Math.abs(got - officialValue)).toBeLessThan(1e-13 * Math.abs(officialValue) + 1e-15);
      expect(Math.abs(got - exact)).toBeGreaterThan(1e-4 * Math.abs(exact));
    }
  });

  it('... and the two are the same method on data linear in lambda (the first difference is exact in both)', () => {
    const official3m = planUsf(buildPresetSchedule('dpmpp-3m', 12)), exact3m = planUsf(buildPresetSchedule('dpmpp-3m-exact', 12));
    const linear = (l: number) => a + b * (l - official3m.lambdas[stepIndex]);
    const x = applyToValues(official3m, stepIndex, official3m.steps[stepIndex].final, linear);
    const y = applyToValues(exact3m, stepIndex, exact3m.steps[stepIndex].final, linear);
    expect(Math.abs(x - y)).toBeLessThan(1e-14);
  });
});

describe('singlestep intermediate points follow the spacing rule inside each step', () => {
  const sched = (preset: 'dpm-solver-2' | 'dpm-solver-3', nfe: number, options: PresetOptions): TSolverSchedule => buildPresetSchedule(preset, nfe, options);

  it('time-uniform and time-quadratic: the intermediate times are the NFE grid points inside the step', () => {
    // DPM-Solver's outer steps are a subset of the nfe-point grid, and its inner points are the same
    // rule on [s, t] with order + 1 points: for t-uniform or sqrt(t)-uniform grids, the skipped grid points.
    for (const spacing of ['time-uniform', 'time-quadratic'] as const) {
      const fine = makeTimesteps(ns, { spacing, steps: 9 });
      const plan = planUsf(sched('dpm-solver-3', 9, { spacing })); // orders 3, 3, 2, 1
      const times = plan.steps.flatMap((st) => [st.tFrom, ...st.stages.map((g) => g.t)]);
      expect(times.length).toBe(9);
      times.forEach((t, i) => expect(Math.abs(t - fine[i])).toBeLessThan(1e-14));
      const plan2 = planUsf(sched('dpm-solver-2', 8, { spacing }));
      const times2 = plan2.steps.flatMap((st) => [st.tFrom, ...st.stages.map((g) => g.t)]);
      const fine2 = makeTimesteps(ns, { spacing, steps: 8 });
      times2.forEach((t, i) => expect(Math.abs(t - fine2[i])).toBeLessThan(1e-14));
    }
  });

  it('logSNR: the fractions 1/2 and 1/3, 2/3 of lambda (the same rule), and lambda-fractions keeps them for any spacing', () => {
    expect(sched('dpm-solver-3', 9, {}).steps[0].intermediate.map((m) => m.r)).toEqual([1 / 3, 2 / 3]);
    expect(sched('dpm-solver-2', 8, {}).steps[0].intermediate.map((m) => m.r)).toEqual([1 / 2]);
    const fixed = sched('dpm-solver-3', 9, { spacing: 'time-uniform', intermediatePoints: 'lambda-fractions' });
    expect(fixed.steps.map((st) => st.intermediate.map((m) => m.r))).toEqual([[1 / 3, 2 / 3], [1 / 3, 2 / 3], [1 / 2], []]);
    // Thirds in t are not thirds in lambda (0.377 and 0.710 of the first step's lambda interval).
    const followed = sched('dpm-solver-3', 9, { spacing: 'time-uniform' });
    for (const st of followed.steps.slice(0, 2)) {
      expect(st.intermediate[0].r).toBeGreaterThan(1 / 3 + 0.03);
      expect(st.intermediate[1].r).toBeGreaterThan(2 / 3 + 0.03);
    }
    expect(() => buildPresetSchedule('dpm-solver-2', 8, { intermediatePoints: 'thirds' as never })).toThrow(/intermediatePoints must be one of spacing, lambda-fractions/);
  });

  it('singlestepFractions is the spacing rule on [s, t] for any spacing (karras too)', () => {
    const s = 0.6, t = 0.05;
    const inner = makeTimesteps(ns, { spacing: 'karras', steps: 3, tStart: s, tEnd: t, rho: 5 });
    const h = lam(t) - lam(s);
    expect(singlestepFractions(ns, 'karras', s, t, 3, 'spacing', 5)).toEqual(inner.slice(1, 3).map((tau) => (lam(tau) - lam(s)) / h));
    expect(singlestepFractions(ns, 'karras', s, t, 1)).toEqual([]);
    expect(() => singlestepFractions(ns, 'logSNR', s, t, 4)).toThrow(/no singlestep DPM-Solver of order 4/);
  });
});
