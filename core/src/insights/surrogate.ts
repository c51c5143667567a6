import { createEncoding, encodeParams, type SpaceEncoding } from '../bo/encoding';
import { GpModel, fitGp, type GpData } from '../bo/gp';
import { Matern52Kernel } from '../bo/kernel';
import type { TParam, TParamValue, TParams, TSpace } from '../config/space';
import { SURROGATE_MAX_POINTS, type SurrogateObservation } from '../contracts/insights';
import { sampleEvenly } from './sampling';

/** Most points the surrogate's hyperparameters are fitted on (SURROGATE_MAX_POINTS it conditions on). */
export const SURROGATE_FIT_POINTS = 120;

/** The best half of `cap` by value plus an even spread of the rest, in the original order. */
export function selectSurrogatePoints(obs: readonly SurrogateObservation[], cap: number, direction: 'minimize' | 'maximize'): SurrogateObservation[] {
  if (obs.length <= cap) return [...obs];
  const sign = direction === 'maximize' ? -1 : 1;
  const order = obs.map((_, i) => i).sort((a, b) => sign * (obs[a].value - obs[b].value));
  const keep = new Set(order.slice(0, Math.floor(cap / 2)));
  const rest = order.slice(Math.floor(cap / 2)).sort((a, b) => a - b);
  for (const i of sampleEvenly(rest, cap - keep.size)) keep.add(i);
  return obs.filter((_, i) => keep.has(i));
}

export interface SurrogateFit {
  space: TSpace;
  enc: SpaceEncoding;
  model: GpModel;
  /** Model outputs are (sign * value - mu) / sd. */
  mu: number;
  sd: number;
  sign: 1 | -1;
  used: SurrogateObservation[];
  /** Whether the hyperparameters came from the study's own optimizer state. */
  warm: boolean;
}

function warmTheta(state: unknown, dim: number, nParams: number): number[] | null {
  const gp = (state as { gp?: { kernel?: unknown; dim?: unknown; theta?: unknown } } | null)?.gp;
  if (!gp || gp.kernel !== 'matern52' || gp.dim !== dim || !Array.isArray(gp.theta) || gp.theta.length !== nParams + 2) return null;
  return gp.theta.every((t) => typeof t === 'number' && Number.isFinite(t)) ? (gp.theta as number[]) : null;
}

/**
 * A Matérn-5/2 GP over the whole space, on the same scale the optimizer uses (sign-flipped for
 * maximisation, standardized). With the study's BoState the optimizer's hyperparameters are
 * reused as they are; otherwise they are fitted on at most SURROGATE_FIT_POINTS points (the fit is
 * O(n^3) per step), and the model is then conditioned on every selected point.
 * Null below three usable observations.
 */
export function fitSurrogate(
  space: TSpace,
  observations: readonly SurrogateObservation[],
  direction: 'minimize' | 'maximize',
  opts: { state?: unknown; maxPoints?: number; fitPoints?: number; seed?: number } = {},
): SurrogateFit | null {
  const enc = createEncoding(space);
  const sign: 1 | -1 = direction === 'maximize' ? -1 : 1;
  const usable: Array<{ o: SurrogateObservation; x: Float64Array }> = [];
  for (const o of observations) {
    if (!Number.isFinite(o.value)) continue;
    try {
      usable.push({ o, x: encodeParams(enc, o.params) });
    } catch {
      // Stale parameters (the space changed): not a point of this surface.
    }
  }
  if (usable.length < 3) return null;
  const picked = selectSurrogatePoints(usable.map((u) => u.o), opts.maxPoints ?? SURROGATE_MAX_POINTS, direction);
  const pickedSet = new Set(picked);
  const rows = usable.filter((u) => pickedSet.has(u.o));
  const n = rows.length, d = enc.dim;
  let mu = 0;
  for (const r of rows) mu += (sign * r.o.value) / n;
  let sd = 0;
  for (const r of rows) sd += (sign * r.o.value - mu) ** 2 / (n - 1);
  sd = Math.sqrt(sd);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mu)))) sd = 1;
  const toData = (subset: typeof rows): GpData => {
    const X = new Float64Array(subset.length * d);
    const y = new Float64Array(subset.length);
    subset.forEach((r, i) => {
      X.set(r.x, i * d);
      y[i] = (sign * r.o.value - mu) / sd;
    });
    const data: GpData = { X, n: subset.length, d, y };
    if (subset.some((r) => r.o.stderr !== null && r.o.stderr > 0)) {
      data.knownNoise = Float64Array.from(subset, (r) => (r.o.stderr !== null && r.o.stderr > 0 ? (r.o.stderr / sd) ** 2 : 0));
    }
    return data;
  };
  const kernel = new Matern52Kernel(d, enc.categoricalDims);
  const data = toData(rows);
  const warm = warmTheta(opts.state, d, kernel.nParams);
  let theta: ArrayLike<number>;
  if (warm) theta = warm;
  else {
    const fitRows = selectSurrogatePoints(rows.map((r) => r.o), opts.fitPoints ?? SURROGATE_FIT_POINTS, direction);
    const fitSet = new Set(fitRows);
    theta = fitGp(kernel, toData(rows.filter((r) => fitSet.has(r.o))), { restarts: 2, maxIter: 40, seed: opts.seed ?? 0 }).theta;
  }
  let model: GpModel;
  try {
    model = GpModel.condition(kernel, data, theta);
  } catch {
    return null;
  }
  return { space, enc, model, mu, sd, sign, used: rows.map((r) => r.o), warm: !!warm };
}

export interface FieldProblem {
  field: string;
  message: string;
}

function numericParam(space: TSpace, name: string): Extract<TParam, { type: 'float' | 'int' }> | null {
  const p = space.find((q) => q.name === name);
  return p && p.type !== 'categorical' ? p : null;
}

/** Problems with the two axes of a surrogate slice, by input field ("x", "y"). */
export function surrogateAxisIssues(space: TSpace, x: string, y: string): FieldProblem[] {
  const numeric = space.filter((p) => p.type !== 'categorical').map((p) => p.name);
  const issues: FieldProblem[] = [];
  for (const [field, name] of [['x', x], ['y', y]] as const) {
    const p = space.find((q) => q.name === name);
    if (!p) issues.push({ field, message: `"${name}" is not a parameter of this study; choose one of ${numeric.join(', ') || '(none: no float or int parameter)'}` });
    else if (p.type === 'categorical') issues.push({ field, message: `"${name}" is categorical; the surface needs a float or int parameter (${numeric.join(', ')})` });
  }
  if (issues.length === 0 && x === y) issues.push({ field: 'y', message: `choose a parameter other than "${x}"` });
  return issues;
}

export interface SurrogateAxisOut {
  name: string;
  type: 'float' | 'int';
  low: number;
  high: number;
  log: boolean;
  /** Grid coordinates along this axis (resolution of them, log-spaced for log parameters). */
  values: number[];
}

export function surrogateAxis(p: Extract<TParam, { type: 'float' | 'int' }>, resolution: number): SurrogateAxisOut {
  const values = Array.from({ length: resolution }, (_, i) => {
    const u = resolution === 1 ? 0.5 : i / (resolution - 1);
    return p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
  });
  return { name: p.name, type: p.type, low: p.low, high: p.high, log: p.log, values };
}

/** A valid value of every parameter: `from` where it fits the space, else the middle / first choice. */
export function completeParams(space: TSpace, from: TParams | null | undefined): TParams {
  const out: TParams = {};
  for (const p of space) {
    const v: TParamValue | undefined = from?.[p.name];
    if (p.type === 'categorical') out[p.name] = v !== undefined && p.choices.includes(v) ? v : p.choices[0];
    else if (typeof v === 'number' && Number.isFinite(v) && v >= p.low && v <= p.high) out[p.name] = v;
    else out[p.name] = p.log ? Math.sqrt(p.low * p.high) : p.type === 'int' ? Math.round((p.low + p.high) / 2) : (p.low + p.high) / 2;
  }
  return out;
}

export interface SurrogateSliceOut {
  x: SurrogateAxisOut;
  y: SurrogateAxisOut;
  /** Posterior mean and standard deviation in objective units, [iy][ix]. */
  mean: number[][];
  std: number[][];
  /** Values of the other parameters on the slice. */
  fixed: TParams;
  observations: Array<{ number: number; x: number; y: number; value: number }>;
}

/**
 * Posterior mean and std of the latent objective on a resolution x resolution grid over (x, y),
 * every other parameter at `fixed`. Callers check the axes with surrogateAxisIssues first.
 */
export function surrogateSlice(fit: SurrogateFit, xName: string, yName: string, fixedFrom: TParams | null, resolution: number): SurrogateSliceOut {
  const px = numericParam(fit.space, xName), py = numericParam(fit.space, yName);
  if (!px || !py) throw new RangeError(`surrogateSlice: ${xName} and ${yName} must be float or int parameters`);
  const fixed = completeParams(fit.space, fixedFrom);
  const xAxis = surrogateAxis(px, resolution), yAxis = surrogateAxis(py, resolution);
  const { enc } = fit;
  const d = enc.dim;
  const base = encodeParams(enc, fixed);
  const kx = fit.space.indexOf(px), ky = fit.space.indexOf(py);
  const ux = xAxis.values.map((v) => encodeParams(createEncoding([px]), { [px.name]: v })[0]);
  const uy = yAxis.values.map((v) => encodeParams(createEncoding([py]), { [py.name]: v })[0]);
  const m = resolution * resolution;
  const Xq = new Float64Array(m * d);
  for (let iy = 0; iy < resolution; iy++) {
    for (let ix = 0; ix < resolution; ix++) {
      const o = (iy * resolution + ix) * d;
      Xq.set(base, o);
      Xq[o + kx] = ux[ix];
      Xq[o + ky] = uy[iy];
    }
  }
  const mean = new Float64Array(m), variance = new Float64Array(m);
  fit.model.predict(Xq, m, mean, variance);
  const meanRows: number[][] = [], stdRows: number[][] = [];
  for (let iy = 0; iy < resolution; iy++) {
    const mr: number[] = [], sr: number[] = [];
    for (let ix = 0; ix < resolution; ix++) {
      const q = iy * resolution + ix;
      mr.push(fit.sign * (fit.mu + fit.sd * mean[q]));
      sr.push(fit.sd * Math.sqrt(Math.max(0, variance[q])));
    }
    meanRows.push(mr);
    stdRows.push(sr);
  }
  const observations = fit.used.flatMap((o) => {
    const vx = o.params[px.name], vy = o.params[py.name];
    return typeof vx === 'number' && typeof vy === 'number' ? [{ number: o.number, x: vx, y: vy, value: o.value }] : [];
  });
  return { x: xAxis, y: yAxis, mean: meanRows, std: stdRows, fixed, observations };
}

/** The slice before there is a model: axes only. */
export function emptySurrogateSlice(space: TSpace, xName: string, yName: string, resolution: number): SurrogateSliceOut {
  const px = numericParam(space, xName), py = numericParam(space, yName);
  if (!px || !py) throw new RangeError(`emptySurrogateSlice: ${xName} and ${yName} must be float or int parameters`);
  return { x: surrogateAxis(px, resolution), y: surrogateAxis(py, resolution), mean: [], std: [], fixed: {}, observations: [] };
}

export function surrogateWaitingMessage(completed: number): string {
  return `the surrogate needs at least 3 completed trials with a value (${completed} so far)`;
}
