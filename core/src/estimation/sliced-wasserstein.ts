import { controlVariateFromStats, type ControlVariateEstimate } from './control-variates';
import { EstimationError } from './errors';
import { tInterval, type Estimate } from './intervals';
import { multivariateStatsOf, selectDims, type MultivariateStats } from './multivariate-stats';
import { sampleUnitVector, type NormalSource } from './random';

/**
 * Sliced Wasserstein-2 between two sample sets in D dimensions,
 *   SW_2^2(mu, nu) = E_theta[ W_2^2(theta#mu, theta#nu) ],  theta uniform on the sphere,
 * estimated over random directions, plainly or with the control variates of Nguyen & Ho
 * ("Sliced Wasserstein Estimation with Control Variates"): with Gaussian fits of the projections,
 *   G_low = (theta'dm)^2,                          E_theta[G_low] = |dm|^2 / D
 *   G_up  = G_low + theta'S1 theta + theta'S2 theta, E_theta[G_up] = (|dm|^2 + tr S1 + tr S2) / D
 * (the lower and an upper bound of W_2^2 between the fitted Gaussians), where dm, S1, S2 are the
 * sample mean difference and covariances (1/n, so theta'S theta is the variance of the projection).
 * All estimates are of SW_2^2 over the directions, conditional on the two sample sets.
 */

/** A sample set: n points of dimension D. */
export type Points = readonly ArrayLike<number>[];

/**
 * W_2^2 between the empirical distributions of two 1-D samples (any sizes): the integral over
 * u in (0, 1) of the squared difference of their quantile functions, walked exactly through the
 * breakpoints i/n and j/m. Sorts copies, leaves the inputs alone.
 */
export function wasserstein2Squared1D(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new EstimationError('invalid-input', 'W2 needs two non-empty samples');
  return sortedWasserstein2Squared(Float64Array.from(a).sort(), Float64Array.from(b).sort());
}

function sortedWasserstein2Squared(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) s += (a[i] - b[i]) ** 2;
    return s / n;
  }
  // Quantile breakpoints in integer units of 1/(n m): a steps at (i+1) m, b at (j+1) n.
  let i = 0;
  let j = 0;
  let prev = 0;
  let s = 0;
  while (i < n && j < m) {
    const ea = (i + 1) * m;
    const eb = (j + 1) * n;
    const next = Math.min(ea, eb);
    s += (next - prev) * (a[i] - b[j]) ** 2;
    prev = next;
    if (ea === next) i++;
    if (eb === next) j++;
  }
  return s / (n * m);
}

export interface SlicedWassersteinOptions {
  /** Number of random directions L (>= 4 for the two-control estimate). */
  readonly projections: number;
  readonly rng: NormalSource;
  /** Confidence level of the reported intervals; default 0.95. */
  readonly confidence?: number;
}

/** Known means of the two controls, fixed by the sample sets. */
export interface SlicedWassersteinControlMeans {
  readonly lower: number;
  readonly upper: number;
}

export interface SlicedWassersteinResult {
  readonly dim: number;
  /** Per-direction statistics of [W2^2, G_low, G_up]; blocks of directions merge with mergeMultivariateStats. */
  readonly stats: MultivariateStats;
  readonly controlMeans: SlicedWassersteinControlMeans;
  /** Plain Monte Carlo over directions. */
  readonly mc: Estimate;
  /** Control-variate estimates; null where the control is degenerate (e.g. G_low = 0 for equal means). */
  readonly lowerCv: ControlVariateEstimate | null;
  readonly upperCv: ControlVariateEstimate | null;
  /** Both controls in one regression (null also when they are collinear, e.g. isotropic spreads). */
  readonly bothCv: ControlVariateEstimate | null;
}

function unlessSingular(estimate: () => ControlVariateEstimate): ControlVariateEstimate | null {
  try {
    return estimate();
  } catch (error) {
    if (error instanceof EstimationError && error.code === 'singular') return null;
    throw error;
  }
}

function checkPoints(points: Points, what: string): number {
  if (points.length === 0) throw new EstimationError('invalid-input', `${what} has no points`);
  const dim = points[0].length;
  if (dim === 0) throw new EstimationError('invalid-input', `${what} has zero-dimensional points`);
  for (let i = 0; i < points.length; i++) {
    if (points[i].length !== dim) throw new EstimationError('invalid-input', `${what}: point ${i} has dimension ${points[i].length}, expected ${dim}`);
  }
  return dim;
}

/** Mean vector and trace of the 1/n covariance. */
function meanAndTrace(points: Points, dim: number): { mean: Float64Array; trace: number } {
  const mean = new Float64Array(dim);
  for (const p of points) for (let k = 0; k < dim; k++) mean[k] += p[k];
  for (let k = 0; k < dim; k++) mean[k] /= points.length;
  let trace = 0;
  for (const p of points) for (let k = 0; k < dim; k++) trace += (p[k] - mean[k]) ** 2;
  return { mean, trace: trace / points.length };
}

/** E_theta[G_low] and E_theta[G_up] for these two sample sets. */
export function slicedWassersteinControlMeans(x: Points, y: Points): SlicedWassersteinControlMeans {
  const dim = checkPoints(x, 'first sample set');
  if (checkPoints(y, 'second sample set') !== dim) throw new EstimationError('invalid-input', 'the two sample sets differ in dimension');
  const mx = meanAndTrace(x, dim);
  const my = meanAndTrace(y, dim);
  let dm2 = 0;
  for (let k = 0; k < dim; k++) dm2 += (mx.mean[k] - my.mean[k]) ** 2;
  return { lower: dm2 / dim, upper: (dm2 + mx.trace + my.trace) / dim };
}

function project(points: Points, theta: Float64Array, out: Float64Array): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    let v = 0;
    for (let k = 0; k < theta.length; k++) v += p[k] * theta[k];
    out[i] = v;
    sum += v;
  }
  const mean = sum / points.length;
  let ss = 0;
  for (let i = 0; i < points.length; i++) ss += (out[i] - mean) ** 2;
  return { mean, variance: ss / points.length };
}

/** Per-direction [W2^2, G_low, G_up] for `projections` directions drawn from rng. */
export function slicedWassersteinSamples(x: Points, y: Points, projections: number, rng: NormalSource): [Float64Array, Float64Array, Float64Array] {
  const dim = checkPoints(x, 'first sample set');
  if (checkPoints(y, 'second sample set') !== dim) throw new EstimationError('invalid-input', 'the two sample sets differ in dimension');
  if (!Number.isInteger(projections) || projections < 1) throw new EstimationError('invalid-input', `projections must be a positive integer, got ${projections}`);
  const w = new Float64Array(projections);
  const low = new Float64Array(projections);
  const up = new Float64Array(projections);
  const px = new Float64Array(x.length);
  const py = new Float64Array(y.length);
  for (let l = 0; l < projections; l++) {
    const theta = sampleUnitVector(rng, dim);
    const fx = project(x, theta, px);
    const fy = project(y, theta, py);
    w[l] = sortedWasserstein2Squared(px.sort(), py.sort());
    low[l] = (fx.mean - fy.mean) ** 2;
    up[l] = low[l] + fx.variance + fy.variance;
  }
  return [w, low, up];
}

/** All four estimates from (possibly merged) per-direction statistics. */
export function slicedWassersteinFromStats(
  stats: MultivariateStats,
  controlMeans: SlicedWassersteinControlMeans,
  confidence = 0.95,
): Omit<SlicedWassersteinResult, 'dim'> {
  if (stats.n < 4) throw new EstimationError('insufficient-data', `sliced Wasserstein estimates need at least 4 directions, got ${stats.n}`);
  return {
    stats,
    controlMeans,
    mc: tInterval({ n: stats.n, mean: stats.mean[0], m2: stats.comoment[0][0] }, confidence),
    // Equal sample means make G_low zero up to rounding: a control of pure round-off noise.
    lowerCv: controlMeans.lower <= 1e-12 * controlMeans.upper
      ? null
      : unlessSingular(() => controlVariateFromStats(selectDims(stats, [0, 1]), [controlMeans.lower], confidence)),
    upperCv: unlessSingular(() => controlVariateFromStats(selectDims(stats, [0, 2]), [controlMeans.upper], confidence)),
    bothCv: controlMeans.lower <= 1e-12 * controlMeans.upper
      ? null
      : unlessSingular(() => controlVariateFromStats(stats, [controlMeans.lower, controlMeans.upper], confidence)),
  };
}

/** Sliced Wasserstein-2 (squared) between two sample sets: plain and control-variate estimates. */
export function slicedWasserstein2(x: Points, y: Points, options: SlicedWassersteinOptions): SlicedWassersteinResult {
  const [w, low, up] = slicedWassersteinSamples(x, y, options.projections, options.rng);
  const controlMeans = slicedWassersteinControlMeans(x, y);
  return { dim: x[0].length, ...slicedWassersteinFromStats(multivariateStatsOf([w, low, up]), controlMeans, options.confidence ?? 0.95) };
}
