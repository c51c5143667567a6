import { solveDense } from './coefficients';
import type { Denoiser, FloatArray } from './denoiser';
import { getNoiseSchedule, type NoiseSchedule } from './noise-schedules';
import { buildPresetSchedule } from './presets';
import { ZSolverSchedule } from './schedule';
import { makeTimesteps, type SpacingName } from './spacings';
import { sampleUsf } from './usf';
import { DC_SCALARS } from './wasm/solver-kernels-wat';
import { dcKernelFits, sampleDcFloat32, type DcProgram } from './wasm/solver-passes';

/**
 * DC-Solver (Zhao et al. 2024): UniPC with dynamic compensation. UniPC's corrector moves x_i after
 * the model was evaluated at the uncorrected x_i, so the stored evaluation m_i is misaligned with
 * the state it is used with. Before step i, DC replaces m_i (data prediction) by the Lagrange
 * interpolant in t through the last dcOrder + 1 evaluations, taken at
 *   t_i' = t_{i-1} + r_i (t_i - t_{i-1}),
 * with one compensation ratio r_i per step (r = 1: plain UniPC). The compensated value is what
 * the step's predictor and corrector and all later steps read. Ratios are fitted per step on a
 * few calibration samples (the paper uses 10) by pushing x_{i+1} towards a reference trajectory,
 * and a cascade polynomial regression (CPR) predicts ratios for an NFE that was not fitted.
 *
 * Written after the official code (wl-zhao/DC-Solver: DCSolver.sample / search_dc in the
 * stable-diffusion tree, DCSolverMultistepScheduler in the diffusers tree): UniPC-bh multistep in
 * data prediction, warm-up orders 1, 2, ..., lower order at the end, corrector on every step but
 * the last, DC from the step with dcOrder + 1 evaluations on. Two deliberate differences: a
 * ratio is fitted by a scan and golden-section search on the step's loss instead of 20-40 AdamW
 * steps through the model's gradient (an ONNX model has none here; the loss is a smooth function
 * of one scalar), and the CPR's guidance axis is optional (unguided models fit NFE and step only).
 *
 * Not a USF schedule: the compensated evaluation replaces the stored one for every later step,
 * which USF's per-update interpolation cannot express. Float64 state and JavaScript passes by
 * default (the ratio fit, accuracy tests); `state: 'float32'` runs what the workers run, one
 * WebAssembly pass per model call with the compensation folded into the update's weights.
 */

export interface DcSolverOptions {
  nfe: number;
  /** Default `logSNR` (as the unipc presets). */
  spacing?: SpacingName;
  /** Karras rho (karras spacing only; default 7). */
  rho?: number;
  tStart?: number;
  tEnd?: number;
  /** UniPC predictor order (1-3, default 3, as the unipc presets). */
  order?: number;
  variant?: 'bh1' | 'bh2';
  /** Lagrange interpolation order of the compensation (default 2, the official default). */
  dcOrder?: number;
  lowerOrderFinal?: boolean;
}

type ModelSpec =
  | { model: Denoiser<Float32Array>; modelInput?: 'float32' }
  | { model: Denoiser<Float64Array>; modelInput: 'float64' };

interface Resolved {
  noise: NoiseSchedule;
  timesteps: number[];
  order: number;
  variant: 'bh1' | 'bh2';
  dcOrder: number;
  lowerOrderFinal: boolean;
  nfe: number;
}

function resolve(noise: NoiseSchedule, o: DcSolverOptions): Resolved {
  const { nfe } = o;
  if (!Number.isInteger(nfe) || nfe < 1) throw new RangeError(`nfe must be a positive integer, got ${nfe}`);
  const order = o.order ?? 3;
  if (!Number.isInteger(order) || order < 1 || order > 3) throw new RangeError(`order must be 1, 2 or 3, got ${order}`);
  const dcOrder = o.dcOrder ?? 2;
  if (!Number.isInteger(dcOrder) || dcOrder < 1 || dcOrder > 3) throw new RangeError(`dcOrder must be 1, 2 or 3, got ${dcOrder}`);
  const variant = o.variant ?? 'bh2';
  if (variant !== 'bh1' && variant !== 'bh2') throw new RangeError(`variant must be bh1 or bh2, got ${String(variant)}`);
  const timesteps = makeTimesteps(noise, { spacing: o.spacing ?? 'logSNR', steps: nfe, tStart: o.tStart, tEnd: o.tEnd, rho: o.rho });
  return { noise, timesteps, order, variant, dcOrder, lowerOrderFinal: o.lowerOrderFinal ?? true, nfe };
}

/** Lagrange weights at `at` through nodes `ts`. */
function lagrange(ts: number[], at: number): number[] {
  return ts.map((ti, i) => ts.reduce((w, tj, j) => (j === i ? w : (w * (at - tj)) / (ti - tj)), 1));
}

interface Runner {
  x: Float64Array;
  /** Data predictions, newest last, and their times. */
  ms: Float64Array[];
  ts: number[];
  step: number;
}

/** Scalar weights of one UniPC-bh update: x_t = cx x + c0 m0 + sum_k ck[k] m_k (+ cE m_t, the corrector's fresh evaluation). */
export interface UniPcWeights {
  cx: number;
  c0: number;
  ck: number[];
  cE: number;
}

/**
 * The predictor's and the corrector's weights of the UniPC-bh update (official
 * multistep_uni_pc_bh_update, data prediction) from ts[-1] to t, with m0 the evaluation at
 * ts[-1] and m_k at ts[-1-k], k = 1..order-1: x_t = (sT/s0) x - aT hPhi1 m0 - aT Bh sum_k rho_k
 * D1_k with D1_k = (m_k - m0) / r_k, written as one weighted sum of x and the stored evaluations
 * (so a step is one pass, and the fused float32 kernel takes the same weights).
 */
export function uniPcWeights(noise: NoiseSchedule, variant: 'bh1' | 'bh2', ts: readonly number[], t: number, order: number): { predictor: UniPcWeights; corrector: UniPcWeights } {
  const t0 = ts[ts.length - 1];
  const l0 = noise.lambda(t0), lt = noise.lambda(t);
  const h = lt - l0;
  const rks: number[] = [];
  for (let i = 1; i < order; i++) rks.push((noise.lambda(ts[ts.length - 1 - i]) - l0) / h);
  rks.push(1);
  const hh = -h;
  const hPhi1 = Math.expm1(hh);
  let hPhiK = hPhi1 / hh - 1;
  let fact = 1;
  const Bh = variant === 'bh1' ? hh : Math.expm1(hh);
  const R: number[][] = [], b: number[] = [];
  for (let i = 1; i <= order; i++) {
    R.push(rks.map((v) => v ** (i - 1)));
    b.push((hPhiK * fact) / Bh);
    fact *= i + 1;
    hPhiK = hPhiK / hh - 1 / fact;
  }
  const sT = noise.sigma(t), s0 = noise.sigma(t0), aT = noise.alpha(t);
  const weights = (rhos: number[], rhoExtra: number | null): UniPcWeights => {
    let c0 = -aT * hPhi1;
    const ck = rhos.map((rho, k) => -aT * Bh * rho / rks[k]);
    for (const c of ck) c0 -= c;
    const cE = rhoExtra === null ? 0 : -aT * Bh * rhoExtra;
    if (rhoExtra !== null) c0 -= cE;
    return { cx: sT / s0, c0, ck, cE };
  };
  const rhosP = order === 1 ? [] : order === 2 ? [0.5] : solveDense(R.slice(0, -1).map((row) => row.slice(0, -1)), b.slice(0, -1));
  const rhosC = order === 1 ? [0.5] : solveDense(R, b);
  return { predictor: weights(rhosP, null), corrector: weights(rhosC.slice(0, -1), rhosC[rhosC.length - 1]) };
}

/** One UniPC-bh update from ts[-1] to t (official multistep_uni_pc_bh_update, data prediction). */
async function uniPcUpdate(
  r: Resolved, eval0: (x: Float64Array, t: number) => Promise<Float64Array>, run: Runner, t: number, order: number, useCorrector: boolean,
): Promise<{ x: Float64Array; modelT: Float64Array | null }> {
  const n = run.x.length;
  const m0 = run.ms[run.ms.length - 1];
  const mks: Float64Array[] = [];
  for (let i = 1; i < order; i++) mks.push(run.ms[run.ms.length - 1 - i]);
  const w = uniPcWeights(r.noise, r.variant, run.ts, t, order);
  const combine = ({ cx, c0, ck, cE }: UniPcWeights, extra: Float64Array | null): Float64Array => {
    const out = new Float64Array(n);
    const x = run.x;
    for (let o = 0; o < n; o++) {
      let v = cx * x[o] + c0 * m0[o];
      for (let k = 0; k < ck.length; k++) v += ck[k] * mks[k][o];
      out[o] = extra ? v + cE * extra[o] : v;
    }
    return out;
  };
  const x = combine(w.predictor, null);
  if (!useCorrector) return { x, modelT: null };
  const modelT = await eval0(x, t); // a fresh array (dataPredictor)
  return { x: combine(w.corrector, modelT), modelT };
}

function dataPredictor(spec: ModelSpec, noise: NoiseSchedule, batch: number, counter: { calls: number }) {
  const f64 = spec.modelInput === 'float64';
  return async (x: Float64Array, t: number): Promise<Float64Array> => {
    const eps = f64 ? await (spec.model as Denoiser<Float64Array>)(x, t, batch) : await (spec.model as Denoiser<Float32Array>)(Float32Array.from(x), t, batch);
    counter.calls++;
    if (eps.length !== x.length) throw new RangeError(`model returned ${eps.length} values for an input of ${x.length}`);
    const a = noise.alpha(t), s = noise.sigma(t);
    const m = new Float64Array(x.length);
    for (let o = 0; o < x.length; o++) m[o] = (x[o] - s * eps[o]) / a;
    return m;
  };
}

/** Orders of the steps (as the unipc presets: warm-up, lower order at the end). */
function stepOrder(r: Resolved, step: number): number {
  let o = Math.min(r.order, step);
  if (r.lowerOrderFinal) o = Math.min(o, r.nfe + 1 - step);
  return o;
}

function compensate(r: Resolved, run: Runner, ratio: number): Float64Array {
  const k = r.dcOrder + 1;
  const ts = run.ts.slice(-k), ms = run.ms.slice(-k);
  const tPrev = ts[k - 2], tCur = ts[k - 1];
  const w = lagrange(ts, tPrev + ratio * (tCur - tPrev));
  const out = new Float64Array(ms[0].length);
  for (let j = 0; j < k; j++) {
    const wj = w[j], mj = ms[j];
    for (let o = 0; o < out.length; o++) out[o] += wj * mj[o];
  }
  return out;
}

async function runSteps(
  spec: ModelSpec, r: Resolved, xT: FloatArray, batch: number,
  ratioFor: (stepIndex: number, run: Runner, model: (x: Float64Array, t: number) => Promise<Float64Array>) => Promise<number>,
): Promise<{ x: Float64Array; nfe: number; ratios: number[] }> {
  const counter = { calls: 0 };
  const model = dataPredictor(spec, r.noise, batch, counter);
  const x0 = Float64Array.from(xT);
  const run: Runner = { x: x0, ms: [await model(x0, r.timesteps[0])], ts: [r.timesteps[0]], step: 0 };
  const keep = Math.max(r.order, r.dcOrder + 1);
  const ratios: number[] = [];
  for (let step = 1; step <= r.nfe; step++) {
    const i = step - 1;
    const ratio = run.ms.length >= r.dcOrder + 1 ? await ratioFor(i, run, model) : 1;
    ratios.push(ratio);
    if (ratio !== 1) run.ms[run.ms.length - 1] = compensate(r, run, ratio);
    const { x, modelT } = await uniPcUpdate(r, model, run, r.timesteps[step], stepOrder(r, step), step < r.nfe);
    run.x = x;
    if (step < r.nfe) {
      run.ms.push(modelT ?? (await model(x, r.timesteps[step])));
      run.ts.push(r.timesteps[step]);
      if (run.ms.length > keep) { run.ms.shift(); run.ts.shift(); }
    }
  }
  return { x: run.x, nfe: counter.calls, ratios };
}

export type SampleDcSolverOptions = ModelSpec & DcSolverOptions & {
  xT: FloatArray;
  batch: number;
  dim: number;
  noise?: NoiseSchedule;
  /** One ratio per step (length nfe); steps before dcOrder + 1 evaluations exist ignore theirs. Default all 1 (plain UniPC). */
  ratios?: readonly number[];
  /**
   * `float64` (default): JavaScript passes over float64 state (what the ratio fit runs).
   * `float32`: what the workers run, one WebAssembly pass per model evaluation (dcstep) with the
   * compensation folded into the UniPC update's scalar weights (dcOrder 2, order <= 3).
   */
  state?: 'float32' | 'float64';
  out?: Float64Array;
};

/**
 * The scalars of the fused float32 pass after each model evaluation k (DC_SCALARS order): the
 * data prediction R_k of the evaluation, the corrector of step k (from the corrected x_{k-1}, the
 * compensated M_{k-1}, M_{k-2}, M_{k-3} and R_k), the compensation M_k of R_k (Lagrange weights
 * over M_{k-2}, M_{k-1}, R_k) and the predictor of step k + 1 from the corrected x_k.
 */
function dcProgram(r: Resolved, ratios: readonly number[]): DcProgram {
  const { noise, timesteps: ts } = r;
  const scalars: number[][] = [];
  for (let k = 0; k < r.nfe; k++) {
    const a = noise.alpha(ts[k]), s = noise.sigma(ts[k]);
    const c = k === 0 ? null : uniPcWeights(noise, r.variant, ts.slice(0, k), ts[k], stepOrder(r, k)).corrector;
    let w = [0, 0, 1];
    if (k >= r.dcOrder && ratios[k] !== 1) {
      const [t0, t1, t2] = ts.slice(k - 2, k + 1);
      w = lagrange([t0, t1, t2], t1 + ratios[k] * (t2 - t1));
    }
    const p = uniPcWeights(noise, r.variant, ts.slice(0, k + 1), ts[k + 1], stepOrder(r, k + 1)).predictor;
    const v: Record<(typeof DC_SCALARS)[number], number> = {
      ia: 1 / a, so: s / a,
      cy: c ? 0 : 1, cx: c ? c.cx : 0, g1: c ? c.c0 : 0, g2: c?.ck[0] ?? 0, g3: c?.ck[1] ?? 0, gR: c ? c.cE : 0,
      w0: w[0], w1: w[1], w2: w[2],
      px: p.cx, q0: p.c0, q1: p.ck[0] ?? 0, q2: p.ck[1] ?? 0,
    };
    scalars.push(DC_SCALARS.map((name) => v[name]));
  }
  return { nfe: r.nfe, timesteps: ts.slice(0, r.nfe), scalars };
}

export async function sampleDcSolver(opts: SampleDcSolverOptions): Promise<{ x0: Float64Array; nfe: number; timesteps: number[] }> {
  const noise = opts.noise ?? getNoiseSchedule('vp-linear');
  const r = resolve(noise, opts);
  if (opts.xT.length !== opts.batch * opts.dim) throw new RangeError(`xT has ${opts.xT.length} values, expected batch * dim = ${opts.batch * opts.dim}`);
  const ratios = opts.ratios ?? new Array<number>(r.nfe).fill(1);
  if (ratios.length !== r.nfe) throw new RangeError(`ratios has ${ratios.length} entries but nfe is ${r.nfe}; give one ratio per step`);
  ratios.forEach((v, i) => { if (!Number.isFinite(v)) throw new RangeError(`ratios[${i}] must be a finite number, got ${v}`); });
  const n = opts.batch * opts.dim;
  if (opts.state === 'float32' && opts.modelInput !== 'float64' && r.dcOrder === 2 && r.order <= 3 && dcKernelFits(n)) {
    const x0 = opts.out ?? new Float64Array(n);
    const nfe = await sampleDcFloat32(opts.model as Denoiser<Float32Array>, dcProgram(r, ratios), opts.xT, opts.batch, opts.dim, x0);
    return { x0, nfe, timesteps: r.timesteps };
  }
  const out = await runSteps(opts, r, opts.xT, opts.batch, async (i) => ratios[i]);
  return { x0: out.x, nfe: out.nfe, timesteps: r.timesteps };
}

// ---- fitting ---------------------------------------------------------------------------------------

/**
 * States of the probability flow at the solver's timesteps t_1..t_N (one Float64Array [batch, dim]
 * each), from a UniPC-bh2 run with `substeps` logSNR-uniform steps inside every interval.
 */
export async function referenceTrajectory(
  opts: ModelSpec & { xT: FloatArray; batch: number; dim: number; noise: NoiseSchedule; timesteps: number[]; substeps?: number },
): Promise<Float64Array[]> {
  const m = opts.substeps ?? 20;
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`substeps must be a positive integer, got ${m}`);
  const { noise, timesteps } = opts;
  const fine: number[] = [timesteps[0]];
  for (let k = 0; k + 1 < timesteps.length; k++) {
    const a = noise.lambda(timesteps[k]), b = noise.lambda(timesteps[k + 1]);
    for (let j = 1; j <= m; j++) fine.push(j === m ? timesteps[k + 1] : noise.inverseLambda(a + ((b - a) * j) / m));
  }
  const base = buildPresetSchedule('unipc-bh2', fine.length - 1, { noiseSchedule: noise.name });
  const schedule = ZSolverSchedule.parse({ ...base, timesteps: { spacing: 'explicit', values: fine } });
  const states: Float64Array[] = [];
  const onStep = (i: number, _t: number, x: FloatArray) => { if ((i + 1) % m === 0) states.push(Float64Array.from(x)); };
  const common = { xT: opts.xT, batch: opts.batch, dim: opts.dim, schedule, noise, onStep };
  if (opts.modelInput === 'float64') await sampleUsf({ ...common, model: opts.model, modelInput: 'float64' });
  else await sampleUsf({ ...common, model: opts.model as Denoiser<Float32Array> });
  return states;
}

const mse = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
};

/** Minimize a 1-D function: a coarse scan of [lo, hi], then golden-section search around the best point. */
async function minimize1d(f: (r: number) => Promise<number>, lo: number, hi: number, scan: number, iters: number): Promise<number> {
  const xs = Array.from({ length: scan }, (_, k) => lo + ((hi - lo) * k) / (scan - 1));
  const fs: number[] = [];
  for (const x of xs) fs.push(await f(x));
  const best = fs.indexOf(Math.min(...fs));
  let a = xs[Math.max(0, best - 1)], b = xs[Math.min(scan - 1, best + 1)];
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a), d = a + g * (b - a);
  let fc = await f(c), fd = await f(d);
  for (let k = 0; k < iters; k++) {
    if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = await f(c); }
    else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = await f(d); }
  }
  const xBest = fc < fd ? c : d, fBest = Math.min(fc, fd);
  return fBest <= fs[best] ? xBest : xs[best];
}

export type FitDcRatiosOptions = ModelSpec & DcSolverOptions & {
  /** Calibration noise x_T, [batch, dim] (the paper: 10 samples). */
  xT: FloatArray;
  batch: number;
  dim: number;
  noise: NoiseSchedule;
  /** States at t_1..t_N from referenceTrajectory (computed here when omitted). */
  reference?: Float64Array[];
  /**
   * Search interval of a ratio (default [0.5, 1.5]: the official scheduler's bounded option,
   * ratio = 1 + tanh(p) / 2). Unbounded ([0, 2]) the greedy per-step fit on 10 samples drove
   * ratios to 0 with time-quadratic spacing on gmm-cifar and doubled the NFE-10 error; bounded it
   * beat UniPC there (0.063 against 0.072 on 256 samples), logSNR unchanged.
   */
  range?: [number, number];
};

export const DC_RATIO_RANGE: [number, number] = [0.5, 1.5];

/**
 * Ratios per step, fitted in order (the official search_dc): at step i the ratio minimizes the
 * mean squared distance of x_{i+1} (after predictor and corrector) to the reference, with the
 * ratios already chosen for the earlier steps in place. Each loss evaluation costs one model call
 * (the corrector's) on the calibration batch.
 */
export async function fitDcRatios(opts: FitDcRatiosOptions): Promise<{ ratios: number[]; timesteps: number[]; loss: { before: number; after: number } }> {
  const r = resolve(opts.noise, opts);
  const reference = opts.reference ?? (await referenceTrajectory({ ...opts, timesteps: r.timesteps } as Parameters<typeof referenceTrajectory>[0]));
  if (reference.length !== r.nfe) throw new RangeError(`reference has ${reference.length} states but nfe is ${r.nfe}; give the states at t_1..t_N`);
  const [lo, hi] = opts.range ?? DC_RATIO_RANGE;
  if (!(lo < hi)) throw new RangeError(`range must be [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const out = await runSteps(opts, r, opts.xT, opts.batch, async (i, run, model) => {
    const step = i + 1;
    const loss = async (ratio: number) => {
      const saved = run.ms[run.ms.length - 1];
      run.ms[run.ms.length - 1] = compensate(r, run, ratio);
      const { x } = await uniPcUpdate(r, model, run, r.timesteps[step], stepOrder(r, step), step < r.nfe);
      run.ms[run.ms.length - 1] = saved;
      return mse(x, reference[i]);
    };
    return minimize1d(loss, lo, hi, 11, 16);
  });
  const plain = await sampleDcSolver({ ...opts, ratios: undefined } as SampleDcSolverOptions);
  return { ratios: out.ratios, timesteps: r.timesteps, loss: { before: mse(plain.x0, reference[r.nfe - 1]), after: mse(out.x, reference[r.nfe - 1]) } };
}

// ---- cascade polynomial regression -------------------------------------------------------------------

/**
 * The official CPR: ratio(step) = sum_k c_k x^k with x = step / NFE (step 1-based), each c_k
 * quadratic in g = guidance / 12, whose coefficients are quadratic in n = NFE / 50: 27
 * coefficients, linear in all of them, so they are fitted by least squares (a small ridge keeps
 * the guidance axis determined when every fit used one guidance scale).
 */
export interface CprFit {
  coefficients: number[];
  dcOrder: number;
}

const cprFeatures = (nfe: number, step: number, guidance: number) => {
  const x = step / nfe, n = nfe / 50, g = guidance / 12;
  const out: number[] = [];
  for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) for (let m = 0; m < 3; m++) out.push(x ** k * g ** (2 - j) * n ** (2 - m));
  return out;
};

export function fitCascadeRegression(fits: ReadonlyArray<{ nfe: number; ratios: readonly number[]; guidance?: number }>, dcOrder = 2): CprFit {
  const rows: number[][] = [], ys: number[] = [];
  for (const f of fits) {
    if (f.ratios.length !== f.nfe) throw new RangeError(`a fit for nfe ${f.nfe} has ${f.ratios.length} ratios; give one per step`);
    f.ratios.forEach((ratio, i) => {
      if (i < dcOrder) return; // not compensated: ratio 1 by construction
      rows.push(cprFeatures(f.nfe, i + 1, f.guidance ?? 1));
      ys.push(ratio);
    });
  }
  if (rows.length === 0) throw new RangeError('no compensated steps to fit: give fits with nfe > dcOrder');
  const p = rows[0].length;
  const ata = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const aty = new Array<number>(p).fill(0);
  rows.forEach((row, q) => {
    for (let i = 0; i < p; i++) {
      aty[i] += row[i] * ys[q];
      for (let j = 0; j < p; j++) ata[i][j] += row[i] * row[j];
    }
  });
  const trace = ata.reduce((s, row, i) => s + row[i], 0);
  for (let i = 0; i < p; i++) ata[i][i] += 1e-9 * trace + 1e-12;
  return { coefficients: solveDense(ata, aty), dcOrder };
}

/**
 * Ratios for `nfe` from a CPR fit, clamped to `range` (default DC_RATIO_RANGE, the fitting search
 * interval): outside the fitted NFEs the quadratics extrapolate without bound (measured on
 * gmm-cifar: a fit on NFE 4-8 predicts ratios that blow NFE 10 up to RMSE 2e4 unclamped). The
 * official CPR does not clamp.
 */
export function predictDcRatios(fit: CprFit, nfe: number, guidance = 1, range: [number, number] = DC_RATIO_RANGE): number[] {
  if (!Number.isInteger(nfe) || nfe < 1) throw new RangeError(`nfe must be a positive integer, got ${nfe}`);
  return Array.from({ length: nfe }, (_, i) => {
    if (i < fit.dcOrder) return 1;
    const f = cprFeatures(nfe, i + 1, guidance);
    const v = f.reduce((s, x, k) => s + x * fit.coefficients[k], 0);
    return Math.min(range[1], Math.max(range[0], v));
  });
}
