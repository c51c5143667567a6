import { CounterRng } from '../rng';
import type { Denoiser, FloatArray } from './denoiser';
import { getNoiseSchedule, NOISE_SCHEDULE_NAMES, type NoiseSchedule, type NoiseScheduleName } from './noise-schedules';

/**
 * Empirical model statistics (EMS) of DPM-Solver-v3 (Zheng et al. 2023), computed from the model
 * itself on a calibration set. With N = sigma eps_theta - l x and f = N / alpha, the probability
 * flow in lambda is d(x/alpha)/dlambda = -l (x/alpha) - f, and v3 chooses per dimension d and per
 * lambda:
 *   l_d = E[ sigma d eps_d / d x_d ]                  (argmin E ||grad_x N||_F^2 over diagonal l)
 *   s_d, b_d = argmin E (f'_d - s_d f_d - b_d)^2       (f' = df/dlambda along the flow)
 * i.e. s = Cov(f, f') / Var(f), b = E f' - s E f. Expectations run over x_lambda = alpha x0 +
 * sigma e with x0 from the calibration set and one Gaussian e per sample, the same at every
 * lambda (and the same Rademacher probes), so the statistics are smooth in lambda.
 *
 * The model is only called, never differentiated: the Jacobian diagonal comes from central
 * finite-difference Jacobian-vector products with Rademacher probes (E[v_d (J v)_d] = J_dd), and
 * f' from a central difference along the flow direction dx/dlambda = sigma^2 x - sigma eps (VP).
 * So ONNX models work as they are; float64 analytic models give near-exact statistics.
 *
 * When Var(f) vanishes in a dimension (a single Gaussian: N does not depend on x once l is the
 * exact Jacobian diagonal) s is not identified; we take s = 0 and b = E f', the minimum-norm
 * solution, which makes the v3 update exact for that dimension.
 *
 * The statistics live on a uniform lambda grid from lambda(tStart) to lambda(tEnd) (DPM-Solver-v3
 * does the same); the sampler snaps its timesteps to that grid.
 */

export interface EmpiricalModelStatistics {
  version: 1;
  noiseSchedule: NoiseScheduleName;
  dim: number;
  tStart: number;
  tEnd: number;
  /** Number of grid intervals K; the grid has K + 1 lambdas, uniform from lambda(tStart) to lambda(tEnd). */
  steps: number;
  /** Calibration samples the statistics were averaged over. */
  samples: number;
  /** [(K + 1) * dim], row k = grid point k. */
  l: Float64Array;
  s: Float64Array;
  b: Float64Array;
}

export interface EmsOptions {
  noise: NoiseSchedule;
  /** Calibration data x0, [count, dim] row-major. */
  data: FloatArray;
  dim: number;
  /** Grid intervals (default 120). */
  steps?: number;
  tStart?: number;
  tEnd?: number;
  /** Rademacher probes per sample for the Jacobian diagonal (default 1). */
  probes?: number;
  /** Finite-difference step in x (default 1e-4 for float64 models, 1e-2 for float32). */
  fdStepX?: number;
  /** Finite-difference step in lambda (default 1e-3 for float64 models, 1e-2 for float32). */
  fdStepLambda?: number;
  /** Rows per model call (default 256). */
  batch?: number;
  /** Seed of the noise and probes (default 0). */
  seed?: number;
}

type ModelSpec =
  | { model: Denoiser<Float32Array>; modelInput?: 'float32' }
  | { model: Denoiser<Float64Array>; modelInput: 'float64' };

export type ComputeEmsOptions = ModelSpec & EmsOptions;

/** Uniform lambda grid of the statistics. */
export function emsLambdas(ems: Pick<EmpiricalModelStatistics, 'noiseSchedule' | 'tStart' | 'tEnd' | 'steps'>, noise = getNoiseSchedule(ems.noiseSchedule)): Float64Array {
  const l0 = noise.lambda(ems.tStart), l1 = noise.lambda(ems.tEnd);
  return Float64Array.from({ length: ems.steps + 1 }, (_, k) => l0 + ((l1 - l0) * k) / ems.steps);
}

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
  return x;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  const x = v ?? fallback;
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`${name} must be a positive finite number, got ${String(v)}`);
  return x;
}

export async function computeEms(opts: ComputeEmsOptions): Promise<EmpiricalModelStatistics> {
  const { noise, data, dim } = opts;
  const f64 = opts.modelInput === 'float64';
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (data.length === 0 || data.length % dim !== 0) throw new RangeError(`data has ${data.length} values, not a positive multiple of dim ${dim}`);
  const count = data.length / dim;
  if (count < 2) throw new RangeError('data needs at least 2 calibration samples (s and b are regressions over samples)');
  const steps = positiveInt('steps', opts.steps, 120);
  const probes = positiveInt('probes', opts.probes, 1);
  const batch = positiveInt('batch', opts.batch, 256);
  const dx = positive('fdStepX', opts.fdStepX, f64 ? 1e-4 : 1e-2);
  const dl = positive('fdStepLambda', opts.fdStepLambda, f64 ? 1e-3 : 1e-2);
  const tStart = opts.tStart ?? noise.tMax, tEnd = opts.tEnd ?? noise.tMinDefault;
  if (!(tEnd > 0 && tEnd < tStart && tStart <= noise.tMax)) throw new RangeError(`need 0 < tEnd < tStart <= ${noise.tMax}, got tStart ${tStart}, tEnd ${tEnd}`);
  const seed = opts.seed ?? 0;
  const lambdas = emsLambdas({ noiseSchedule: noise.name, tStart, tEnd, steps }, noise);

  const call = async (x: Float64Array, t: number, rows: number): Promise<FloatArray> => {
    const out = f64
      ? await (opts.model as Denoiser<Float64Array>)(x, t, rows)
      : await (opts.model as Denoiser<Float32Array>)(Float32Array.from(x), t, rows);
    if (out.length !== x.length) throw new RangeError(`model returned ${out.length} values for an input of ${x.length}`);
    return out;
  };
  const at = (lambda: number) => {
    const t = noise.inverseLambda(lambda);
    const logA = noise.logAlpha(t);
    return { t, alpha: Math.exp(logA), sigma: Math.sqrt(-Math.expm1(2 * logA)) };
  };
  // Common random numbers: sample r gets the same noise e_r and probes v_r at every lambda, so the
  // estimates are smooth functions of lambda (independent draws per grid point make l, s and b
  // jagged, and the solver's polynomial expansion of g in lambda then loses its order).
  // Drawn once (Philox normals cost more than a pass over them).
  const e = new Float64Array(count * dim);
  for (let r = 0; r < count; r++) {
    const rng = new CounterRng(seed, r);
    for (let d = 0; d < dim; d++) e[r * dim + d] = rng.normal();
  }
  const v = Array.from({ length: probes }, (_, p) => {
    const out = new Float64Array(count * dim);
    for (let r = 0; r < count; r++) {
      const rng = new CounterRng(seed, count * (1 + p) + r);
      for (let d = 0; d < dim; d++) out[r * dim + d] = rng.uniform() < 0.5 ? -1 : 1;
    }
    return out;
  });
  const noisy = (r0: number, rows: number, alpha: number, sigma: number) => {
    const x = new Float64Array(rows * dim);
    for (let i = 0, j = r0 * dim; i < x.length; i++, j++) x[i] = alpha * data[j] + sigma * e[j];
    return x;
  };
  const probe = (r0: number, rows: number, p: number) => v[p].subarray(r0 * dim, (r0 + rows) * dim);
  /** E[sigma v * (J v)] at lambda: the Jacobian diagonal of sigma eps. */
  const jacobianDiagonal = async (lambda: number, acc: Float64Array) => {
    const { t, alpha, sigma } = at(lambda);
    for (let r0 = 0; r0 < count; r0 += batch) {
      const rows = Math.min(batch, count - r0);
      const x = noisy(r0, rows, alpha, sigma);
      for (let p = 0; p < probes; p++) {
        const vp = probe(r0, rows, p);
        const ePlus = Float64Array.from(await call(x.map((xi, i) => xi + dx * vp[i]), t, rows)); // a model may reuse its output buffer
        const em = await call(x.map((xi, i) => xi - dx * vp[i]), t, rows);
        for (let i = 0; i < x.length; i++) acc[i % dim] += (sigma * vp[i] * (ePlus[i] - em[i])) / (2 * dx);
      }
    }
    for (let d = 0; d < dim; d++) acc[d] /= count * probes;
  };

  const K1 = steps + 1;
  // Pass 1: l on the grid, and at lambda +- dl for the l' x term of f' (same random numbers).
  const l = new Float64Array(K1 * dim), lPlus = new Float64Array(K1 * dim), lMinus = new Float64Array(K1 * dim);
  for (let k = 0; k < K1; k++) {
    const row = (a: Float64Array) => a.subarray(k * dim, (k + 1) * dim);
    await jacobianDiagonal(lambdas[k], row(l));
    await jacobianDiagonal(lambdas[k] + dl, row(lPlus));
    await jacobianDiagonal(lambdas[k] - dl, row(lMinus));
  }

  // Pass 2: f and f' = df/dlambda along the flow, then the per-dimension regression f' ~ s f + b.
  const s = new Float64Array(K1 * dim), b = new Float64Array(K1 * dim);
  const sf = new Float64Array(dim), sg = new Float64Array(dim), sff = new Float64Array(dim), sfg = new Float64Array(dim);
  for (let k = 0; k < K1; k++) {
    const lam = lambdas[k];
    const { t, alpha, sigma } = at(lam);
    const plus = at(lam + dl), minus = at(lam - dl);
    sf.fill(0); sg.fill(0); sff.fill(0); sfg.fill(0);
    for (let r0 = 0; r0 < count; r0 += batch) {
      const rows = Math.min(batch, count - r0);
      const x = noisy(r0, rows, alpha, sigma);
      const eps = Float64Array.from(await call(x, t, rows));
      const vel = x.map((xi, i) => sigma * sigma * xi - sigma * eps[i]);
      const xp = x.map((xi, i) => xi + dl * vel[i]);
      const xm = x.map((xi, i) => xi - dl * vel[i]);
      const ep = Float64Array.from(await call(xp, plus.t, rows));
      const em = await call(xm, minus.t, rows);
      for (let i = 0; i < x.length; i++) {
        const d = i % dim;
        const f = (sigma * eps[i] - l[k * dim + d] * x[i]) / alpha;
        const fp = (plus.sigma * ep[i] - lPlus[k * dim + d] * xp[i]) / plus.alpha;
        const fm = (minus.sigma * em[i] - lMinus[k * dim + d] * xm[i]) / minus.alpha;
        const g = (fp - fm) / (2 * dl);
        sf[d] += f; sg[d] += g; sff[d] += f * f; sfg[d] += f * g;
      }
    }
    for (let d = 0; d < dim; d++) {
      const mf = sf[d] / count, mg = sg[d] / count;
      const vf = sff[d] / count - mf * mf, cfg = sfg[d] / count - mf * mg;
      // Var(f) at rounding level: s is not identified (see the header); keep s = 0.
      const slope = vf > 1e-10 * (sff[d] / count) + 1e-300 ? cfg / vf : 0;
      s[k * dim + d] = slope;
      b[k * dim + d] = mg - slope * mf;
    }
  }
  return { version: 1, noiseSchedule: noise.name, dim, tStart, tEnd, steps, samples: count, l, s, b };
}

// ---- storage -------------------------------------------------------------------------------------

/** Plain-JSON form (numbers, not typed arrays), as stored beside the model's cached references. */
export interface EmsJson {
  version: 1;
  noiseSchedule: NoiseScheduleName;
  dim: number;
  tStart: number;
  tEnd: number;
  steps: number;
  samples: number;
  l: number[];
  s: number[];
  b: number[];
}

export function emsToJson(ems: EmpiricalModelStatistics): EmsJson {
  return { ...ems, l: Array.from(ems.l), s: Array.from(ems.s), b: Array.from(ems.b) };
}

/** Checks a stored document field by field; every error names the field. */
export function emsFromJson(doc: unknown): EmpiricalModelStatistics {
  if (typeof doc !== 'object' || doc === null) throw new RangeError('EMS document must be a JSON object');
  const o = doc as Record<string, unknown>;
  if (o.version !== 1) throw new RangeError(`EMS version must be 1, got ${JSON.stringify(o.version)}`);
  if (!(NOISE_SCHEDULE_NAMES as readonly unknown[]).includes(o.noiseSchedule)) {
    throw new RangeError(`EMS noiseSchedule must be one of ${NOISE_SCHEDULE_NAMES.join(', ')}, got ${JSON.stringify(o.noiseSchedule)}`);
  }
  const int = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`EMS ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (k: string) => {
    const v = o[k];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new RangeError(`EMS ${k} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };
  const dim = int('dim'), steps = int('steps'), samples = int('samples');
  const tStart = num('tStart'), tEnd = num('tEnd');
  if (!(tEnd < tStart)) throw new RangeError(`EMS tEnd (${tEnd}) must be below tStart (${tStart})`);
  const arr = (k: string) => {
    const v = o[k];
    if (!Array.isArray(v) || v.length !== (steps + 1) * dim) throw new RangeError(`EMS ${k} must be an array of (steps + 1) * dim = ${(steps + 1) * dim} numbers`);
    const out = Float64Array.from(v as number[]);
    if (out.some((x) => !Number.isFinite(x))) throw new RangeError(`EMS ${k} has a value that is not a finite number`);
    return out;
  };
  return { version: 1, noiseSchedule: o.noiseSchedule as NoiseScheduleName, dim, tStart, tEnd, steps, samples, l: arr('l'), s: arr('s'), b: arr('b') };
}

/** The degenerate statistics l = 1, s = b = 0: v3 then reduces to multistep data prediction (DPM-Solver++ with its corrector). */
export function degenerateEms(noise: NoiseSchedule, dim: number, options: { steps?: number; tStart?: number; tEnd?: number } = {}): EmpiricalModelStatistics {
  const steps = positiveInt('steps', options.steps, 120);
  const n = (steps + 1) * dim;
  return {
    version: 1, noiseSchedule: noise.name, dim, tStart: options.tStart ?? noise.tMax, tEnd: options.tEnd ?? noise.tMinDefault, steps, samples: 1,
    l: new Float64Array(n).fill(1), s: new Float64Array(n), b: new Float64Array(n),
  };
}
