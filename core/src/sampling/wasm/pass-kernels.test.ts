import { describe, expect, it, vi } from 'vitest';
import { compilePassKernels, generatedSource, GENERATED_PATH } from '../../../scripts/build-wasm';
import { CounterRng, initialNoise } from '../../rng';
import { type Denoiser } from '../denoiser';
import { createGmm, gmmDenoiser } from '../gaussian';
import { getNoiseSchedule } from '../noise-schedules';
import { buildPresetSchedule, PRESET_NAMES } from '../presets';
import { ZSolverSchedule, type TSolverScheduleInput } from '../schedule';
import { SPACING_NAMES, type SpacingName } from '../spacings';
import { planUsf, sampleUsf } from '../usf';
import { MAX_FUSED_TERMS } from './kernels-wat';
import { acquireArena, KernelArena, releaseArena, type ArenaPass } from './pass-kernels';

describe('the committed wasm binary', () => {
  it('is what the kernels\' text compiles to (run core/scripts/build-wasm.ts after editing kernels-wat.ts)', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(generatedSource(await compilePassKernels()));
  });
});

/** The pass in float64, straight from its definition (fused-pass.ts). */
function reference(p: ArenaPass, bufs: Float64Array[]): Float64Array[] {
  const out = bufs.map((b) => b.slice());
  const n = bufs[0].length;
  for (let j = 0; j < n; j++) {
    const x = bufs[p.x][j], xs = bufs[p.xs][j];
    const e = p.eps >= 0 ? bufs[p.eps][j] : 0;
    let v = p.a * x + (p.eps >= 0 ? p.b * e + p.c * xs : 0);
    for (const t of p.terms) v += t.weight * bufs[t.buf][j];
    if (p.eps >= 0 && p.storeEps >= 0) out[p.storeEps][j] = e;
    if (p.eps >= 0 && p.storeX0 >= 0) out[p.storeX0][j] = p.ia * xs - p.so * e;
    out[p.out][j] = v;
  }
  return out;
}

function runCase(n: number, count: number, p: ArenaPass, init = Array.from({ length: count }, (_, b) => Float64Array.from({ length: n }, (_, j) => Math.sin(1.3 * j + 7.1 * b) + 0.1 * b))) {
  const arena = new KernelArena(n, count);
  init.forEach((v, b) => arena.views[b].set(v));
  // Reference from the float32-rounded inputs, so only the kernel's own rounding remains.
  const expected = reference(p, arena.views.map((v) => Float64Array.from(v)));
  arena.compile(p)();
  // The kernels compute in float64 and round once, on store: the result is the float32 nearest
  // the exact value, give or take the last bit when the float64 sum sits on a rounding boundary.
  // Terms beyond MAX_FUSED_TERMS are added by a second pass (axpy), one more rounding each.
  const roundings = 1 + Math.max(0, p.terms.length - MAX_FUSED_TERMS);
  for (let b = 0; b < count; b++) {
    for (let j = 0; j < n; j++) {
      const bound = roundings === 1 ? 2 ** -23 * Math.abs(expected[b][j]) + 1e-30 : roundings * 2 ** -23 * (Math.abs(expected[b][j]) + 1);
      expect(Math.abs(arena.views[b][j] - expected[b][j])).toBeLessThanOrEqual(bound);
    }
  }
}

const w = [0.7, -0.4, 0.25, 0.1, -0.05];
const terms = (k: number, first: number) => Array.from({ length: k }, (_, m) => ({ buf: first + m, weight: w[m] }));

describe('KernelArena passes', () => {
  // Buffers: 0 x, 1 eps, 2 xs, 3 out, 4 rec-eps, 5 rec-x0, 6.. terms. n = 37 is not a multiple
  // of 4: the padded tail must not reach the next buffer (checked by the untouched buffers).
  const n = 37;
  for (let k = 0; k <= 5; k++) {
    it(`multistep (evaluation at x), ${k} stored terms, in place, keeping x0`, () => {
      runCase(n, 6 + k, { out: 0, x: 0, a: 0.9, eps: 1, xs: 0, b: -0.3, c: 0, ia: 1.2, so: 0.4, storeEps: -1, storeX0: 5, terms: terms(k, 6) });
    });
    it(`evaluation elsewhere, ${k} stored terms, keeping eps`, () => {
      runCase(n, 6 + k, { out: 3, x: 0, a: 0.9, eps: 1, xs: 2, b: -0.3, c: 0.2, ia: 1.2, so: 0.4, storeEps: 4, storeX0: -1, terms: terms(k, 6) });
    });
    it(`no fresh evaluation, ${k} stored terms`, () => {
      runCase(n, 6 + k, { out: 0, x: 0, a: 1.1, eps: -1, xs: 0, b: 0, c: 0, ia: 0, so: 0, storeEps: -1, storeX0: -1, terms: terms(k, 6) });
    });
  }
  it('rounds once even when large coefficients cancel (an early noise-form step: x_t = 67 x - 66 eps)', () => {
    // With x ~ eps the result is ~50 times smaller than either term: float32 coefficients and
    // products would lose ~67 * 6e-8 of it, 50 times the float32 rounding of the result.
    const x = Float64Array.from({ length: n }, (_, j) => Math.sin(0.7 * j));
    const e = x.map((v, j) => v * (1 - 0.01 * Math.cos(j)) + 0.005);
    const init = [x, e, ...Array.from({ length: 4 }, () => new Float64Array(n))];
    runCase(n, 6, { out: 3, x: 0, a: 67.0123456789, eps: 1, xs: 0, b: -65.98765432101, c: 0, ia: 150.3, so: 150.29, storeEps: -1, storeX0: 5, terms: [] }, init);
    runCase(n, 6, { out: 3, x: 0, a: 67.0123456789, eps: -1, xs: 0, b: 0, c: 0, ia: 0, so: 0, storeEps: -1, storeX0: -1, terms: [{ buf: 1, weight: -65.98765432101 }] }, init);
  });
  it('keeps an evaluation in both forms, and keeps none', () => {
    runCase(n, 8, { out: 0, x: 0, a: 0.9, eps: 1, xs: 2, b: -0.3, c: 0.2, ia: 1.2, so: 0.4, storeEps: 4, storeX0: 5, terms: terms(2, 6) });
    runCase(n, 6, { out: 3, x: 0, a: 0.9, eps: 1, xs: 0, b: -0.3, c: 0, ia: 1.2, so: 0.4, storeEps: -1, storeX0: -1, terms: [] });
  });
  // A corrector and the next predictor as one pair kernel. Buffers as UniPC lays them out: 0 x
  // (corrected in place), 1 eps, 2 next (the corrector's evaluation point, overwritten by the
  // predictor), 3 the new x0 record, 4.. older records. The corrector's outputs are the separate
  // pass's bit for bit; the predictor is the float32 rounding of its float64 value from the
  // unrounded corrector output and record (one rounding, where two passes round three times).
  for (const kind of ['at', 'else'] as const) {
    for (let k = 0; k <= MAX_FUSED_TERMS; k++) {
      for (let k2 = 1; k2 <= Math.min(MAX_FUSED_TERMS, k + 1); k2++) {
        it(`pair kernel ${kind}${k}r${k2}: corrector as its own pass, predictor rounded once, in place`, () => {
          const count = 4 + MAX_FUSED_TERMS;
          const first: ArenaPass = {
            out: 0, x: 0, a: 0.9, eps: 1, xs: kind === 'at' ? 0 : 2, b: -0.3, c: kind === 'at' ? 0 : 0.2, ia: 1.2, so: 0.4,
            storeEps: -1, storeX0: 3, terms: terms(k, 4),
          };
          const v = [0.6, -0.35, 0.15];
          const second: ArenaPass = {
            out: 2, x: 0, a: 1.05, eps: -1, xs: 0, b: 0, c: 0, ia: 0, so: 0, storeEps: -1, storeX0: -1,
            terms: Array.from({ length: k2 }, (_, m) => ({ buf: m === 0 ? 3 : 4 + m - 1, weight: v[m] })),
          };
          const init = Array.from({ length: count }, (_, b) => Float32Array.from({ length: n }, (_, j) => Math.cos(0.9 * j + 3.3 * b) - 0.05 * b));
          const separate = new KernelArena(n, count), paired = new KernelArena(n, count);
          init.forEach((x, b) => { separate.views[b].set(x); paired.views[b].set(x); });
          separate.compile(first)();
          const pair = paired.compilePair(first, second);
          expect(pair).not.toBeNull();
          pair!();
          // The predictor in float64 from the float32 inputs, straight from the definitions.
          const inputs = init.map((x) => Float64Array.from(x));
          const expected = new Float64Array(n);
          for (let j = 0; j < n; j++) {
            let y = first.a * inputs[first.x][j] + first.b * inputs[1][j] + first.c * inputs[first.xs][j];
            for (const t of first.terms) y += t.weight * inputs[t.buf][j];
            const rec = first.ia * inputs[first.xs][j] - first.so * inputs[1][j];
            let z = second.a * y + v[0] * rec;
            for (let m = 1; m < k2; m++) z += v[m] * inputs[first.terms[m - 1].buf][j];
            expected[j] = z;
          }
          for (let b = 0; b < count; b++) {
            if (b !== 2) expect(Array.from(paired.views[b]), `buffer ${b}`).toEqual(Array.from(separate.views[b]));
          }
          for (let j = 0; j < n; j++) expect(Math.abs(paired.views[2][j] - expected[j])).toBeLessThanOrEqual(2 ** -23 * Math.abs(expected[j]) + 1e-30);
          expect(Array.from(paired.views[2])).not.toEqual(Array.from(init[2])); // the predictor wrote
        });
      }
    }
  }
  it('pairs only the shapes the pair kernels compute', () => {
    const arena = new KernelArena(n, 8);
    const first: ArenaPass = { out: 0, x: 0, a: 0.9, eps: 1, xs: 2, b: -0.3, c: 0.2, ia: 1.2, so: 0.4, storeEps: -1, storeX0: 3, terms: [] };
    const second: ArenaPass = { out: 2, x: 0, a: 1, eps: -1, xs: 0, b: 0, c: 0, ia: 0, so: 0, storeEps: -1, storeX0: -1, terms: terms(1, 3) };
    expect(arena.compilePair(first, second)).not.toBeNull();
    expect(arena.compilePair(first, { ...second, terms: terms(1, 4) })).toBeNull(); // not the first's record
    expect(arena.compilePair({ ...first, terms: terms(1, 5) }, { ...second, terms: [{ buf: 3, weight: 1 }, { buf: 6, weight: 1 }] })).toBeNull(); // not the first's terms
    expect(arena.compilePair({ ...first, terms: terms(1, 5) }, { ...second, terms: [{ buf: 3, weight: 1 }, { buf: 5, weight: 1 }] })).not.toBeNull();
    expect(arena.compilePair({ ...first, storeX0: -1 }, second)).toBeNull(); // no record kept
    expect(arena.compilePair(first, { ...second, out: 0 })).toBeNull(); // would overwrite the first's output
    expect(arena.compilePair(first, { ...second, x: 2 })).toBeNull(); // does not read the first's output
    expect(arena.compilePair(first, { ...second, eps: 1 })).toBeNull(); // a second evaluation
    expect(arena.compilePair({ ...first, storeEps: 4 }, second)).toBeNull(); // a record in both forms
    expect(arena.compilePair(first, { ...second, terms: terms(4, 3) })).toBeNull(); // more terms than a kernel reads
  });
  it('pools arenas by shape, across plans, and keeps only a few', () => {
    const a = acquireArena(101, 5);
    releaseArena(a);
    expect(acquireArena(101, 4)).toBe(a); // enough buffers: reused
    expect(acquireArena(101, 6)).not.toBe(a); // too few: a new one
    releaseArena(a);
    const others = Array.from({ length: 6 }, (_, i) => acquireArena(200 + i, 2));
    others.forEach(releaseArena);
    expect(acquireArena(101, 5)).not.toBe(a); // pushed out of the bounded pool
  });
  it('refuses arenas it cannot address', () => {
    expect(() => new KernelArena(2 ** 28, 4)).toThrow(/exceed/);
    expect(() => new KernelArena(0, 1)).toThrow(/positive integers/);
  });
});

describe('sampleUsf with float32 state', () => {
  const ns = getNoiseSchedule('vp-linear');
  const B = 5, D = 7;
  const gmm = createGmm({
    weights: [0.5, 0.3, 0.2],
    means: [[1, -0.5, 0.3, 0, 0.2, 0.1, -0.3], [-1, 0.8, 0, 0.5, -0.2, 0.4, 0], [0.2, 0.2, -1.2, -0.7, 0, 0, 0.6]],
    variances: [0.05, 0.2, 0.1],
  });
  const eps64 = gmmDenoiser<Float64Array>(gmm, ns);
  const model32: Denoiser<Float32Array> = (x, t, batch) => Float32Array.from(eps64(Float64Array.from(x), t, batch) as Float64Array);
  const xT = new Float64Array(B * D);
  for (let b = 0; b < B; b++) xT.set(initialNoise(7, b, D), b * D);

  async function compare(schedule: ReturnType<typeof ZSolverSchedule.parse>) {
    const plan = planUsf(schedule);
    const exact = await sampleUsf({ model: eps64, modelInput: 'float64', xT, batch: B, dim: D, schedule, plan });
    const steps: number[] = [];
    const fast = await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule, plan, state: 'float32', onStep: (i) => steps.push(i) });
    expect(fast.nfe).toBe(exact.nfe);
    expect(steps).toEqual(schedule.steps.map((_, i) => i));
    let err = 0, scale = 0;
    for (let i = 0; i < xT.length; i++) {
      err = Math.max(err, Math.abs(fast.x0[i] - exact.x0[i]));
      scale = Math.max(scale, Math.abs(exact.x0[i]));
    }
    // float32 model output and state: rounding, not a different method.
    expect(err / scale).toBeLessThan(2e-5);
    // A second run on the pooled workspace gives the same sample bit for bit.
    const again = await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule, plan, state: 'float32' });
    expect(again.x0).toEqual(fast.x0);
  }

  for (const preset of PRESET_NAMES) {
    it(`agrees with the float64 sampler: ${preset}`, async () => {
      await compare(buildPresetSchedule(preset, preset.startsWith('dpm-solver-3') ? 9 : 8));
    });
  }

  it('runs every UniPC corrector with the next predictor as one pair kernel', async () => {
    const spy = vi.spyOn(KernelArena.prototype, 'compilePair');
    try {
      const schedule = buildPresetSchedule('unipc-bh2', 8);
      await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule, plan: planUsf(schedule), state: 'float32' });
      const paired = spy.mock.results.filter((r) => r.value !== null).length;
      // Steps 0..6 correct x_i (the last step has no corrector); each is paired with the next
      // predictor but step 6's, whose predictor writes the result into x itself (the buffer
      // onStep reads the corrected x_6 from).
      expect(paired).toBe(6);
    } finally {
      spy.mockRestore();
    }
  });

  it('agrees on an S^3-style schedule (mixed forms, singlestep stages, correctors, order 4, analytic first step)', async () => {
    const doc: TSolverScheduleInput = {
      noiseSchedule: 'vp-linear',
      analyticFirstStep: true,
      timesteps: { spacing: 'logSNR', tEnd: 1e-3 },
      steps: Array.from({ length: 9 }, (_, i) => i % 4 === 1
        ? { prediction: 'noise', order: 2, intermediate: [{ r: 0.5, order: 1 }], relaxation: 'dpmsolver-2' }
        : { prediction: i % 2 ? 'data' : 'noise', order: Math.min(i + 1, 4), corrector: i < 8 }),
    };
    await compare(ZSolverSchedule.parse(doc));
  });
});

/**
 * The float32 state's stated accuracy (usf.ts, `state`), for every preset and spacing at NFE 5-20
 * on a mixture like gmm-64d (D = 64, K = 16) whose eps is rounded to float32, as an ONNX model's
 * is: max |x(float32 state) - x(float64 state)| / max |x| with the same float32 model, at most
 *   1e-4 from NFE 10 on; 2e-4 below NFE 10 with logSNR spacing; 2e-3 below NFE 10 otherwise.
 * Measured (batch 64 here and on the ONNX gmm-64d): at most 9.6e-5, 1.1e-4 and 1.1e-3 (the last
 * singlestep DPM-Solver-3 with karras spacing at NFE 5; everything else below 2.5e-4). Coarse
 * grids are that sensitive to rounding anywhere: the float32 model's own rounding moves the
 * float64-state sample as much (checked below), so these are not errors of the float32 passes.
 */
describe('float32 state: the stated tolerance, for every preset', () => {
  const ns = getNoiseSchedule('vp-linear');
  const rng = new CounterRng(103);
  const K = 16, D = 64, B = 32;
  const means = Array.from({ length: K }, () => Array.from({ length: D }, () => rng.normal()));
  const weights = Array.from({ length: K }, () => 0.5 + rng.uniform());
  const gmm = createGmm({ weights, means, variances: Array.from({ length: K }, () => 0.05 + 0.2 * rng.uniform()) });
  const eps64 = gmmDenoiser<Float64Array>(gmm, ns);
  const model32: Denoiser<Float32Array> = (x, t, batch, out) => {
    const e = eps64(Float64Array.from(x), t, batch) as Float64Array;
    const o = out ?? new Float32Array(e.length);
    o.set(e);
    return o;
  };
  const xT = new Float64Array(B * D);
  for (let b = 0; b < B; b++) xT.set(initialNoise(5, b, D), b * D);
  const rel = (a: Float64Array, b: Float64Array) => {
    let err = 0, scale = 0;
    for (let i = 0; i < a.length; i++) {
      err = Math.max(err, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return err / scale;
  };
  const NFES = [5, 6, 8, 9, 10, 12, 15, 20];
  const tolerance = (spacing: SpacingName, nfe: number) => (nfe >= 10 ? 1e-4 : spacing === 'logSNR' ? 2e-4 : 2e-3);

  for (const preset of PRESET_NAMES) {
    it(`${preset}: float32 state within the stated tolerance of float64 state, NFE ${NFES.join('/')}, every spacing`, async () => {
      let worstRatio = 0;
      for (const spacing of SPACING_NAMES) {
        for (const nfe of NFES) {
          const schedule = buildPresetSchedule(preset, nfe, { spacing });
          const plan = planUsf(schedule);
          const f64 = await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule, plan });
          const f32 = await sampleUsf({ model: model32, xT, batch: B, dim: D, schedule, plan, state: 'float32' });
          const err = rel(f32.x0, f64.x0);
          expect(err, `${spacing} NFE ${nfe}`).toBeLessThanOrEqual(tolerance(spacing, nfe));
          expect(err).toBeGreaterThan(0); // the float32 passes really ran
          if (nfe === 10) {
            // ... and at NFE 10 it is of the size the float32 model's own rounding causes.
            const exact = await sampleUsf({ model: eps64, modelInput: 'float64', xT, batch: B, dim: D, schedule, plan });
            worstRatio = Math.max(worstRatio, err / Math.max(rel(f64.x0, exact.x0), 1e-7));
          }
        }
      }
      expect(worstRatio).toBeLessThan(8);
    });
  }
});
