import { EstimationError } from './errors';

/**
 * Mergeable running statistics: count, mean and M2 (sum of squared deviations from the mean).
 *
 * Blocks of samples are summarized by workers, stored as plain JSON in Postgres and merged later
 * in any order; Chan, Golub & LeVeque's pairwise update keeps the merge exact up to rounding and
 * numerically stable (no sum-of-squares cancellation). Every function returns a new object.
 */
export interface RunningStats {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Bivariate version for paired samples (x_i, y_i) drawn on the same seed: the co-moment `cxy`
 * gives covariances, correlations and the statistics of the paired differences x - y.
 */
export interface BivariateStats {
  readonly n: number;
  readonly meanX: number;
  readonly meanY: number;
  readonly m2X: number;
  readonly m2Y: number;
  /** Sum over samples of (x - meanX)(y - meanY). */
  readonly cxy: number;
}

const EMPTY: RunningStats = Object.freeze({ n: 0, mean: 0, m2: 0 });
const EMPTY_BIVARIATE: BivariateStats = Object.freeze({ n: 0, meanX: 0, meanY: 0, m2X: 0, m2Y: 0, cxy: 0 });

function checkValue(x: number, index: number): void {
  if (!Number.isFinite(x)) {
    throw new EstimationError('invalid-input', `sample ${index} is ${x}; every sample must be a finite number`);
  }
}

export function emptyStats(): RunningStats {
  return EMPTY;
}

/** One-pass (Welford) statistics of a block of values. */
export function statsOf(values: ArrayLike<number>): RunningStats {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    checkValue(x, i);
    const delta = x - mean;
    mean += delta / (i + 1);
    m2 += delta * (x - mean);
  }
  return { n: values.length, mean, m2 };
}

export function addValue(stats: RunningStats, x: number): RunningStats {
  checkValue(x, stats.n);
  const n = stats.n + 1;
  const delta = x - stats.mean;
  const mean = stats.mean + delta / n;
  return { n, mean, m2: stats.m2 + delta * (x - mean) };
}

export function addValues(stats: RunningStats, values: ArrayLike<number>): RunningStats {
  return mergeStats(stats, statsOf(values));
}

/** Chan et al. parallel merge: the result equals the statistics of the concatenated samples. */
export function mergeStats(a: RunningStats, b: RunningStats): RunningStats {
  if (b.n === 0) return a;
  if (a.n === 0) return b;
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    n,
    mean: a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n,
  };
}

export function mergeAllStats(blocks: readonly RunningStats[]): RunningStats {
  return blocks.reduce(mergeStats, EMPTY);
}

/** Unbiased sample variance (denominator n - 1); NaN below two samples. */
export function sampleVariance(stats: RunningStats): number {
  return stats.n < 2 ? Number.NaN : Math.max(0, stats.m2) / (stats.n - 1);
}

/** Standard error of the mean, s / sqrt(n); NaN below two samples. */
export function standardError(stats: RunningStats): number {
  return Math.sqrt(sampleVariance(stats) / stats.n);
}

/** Throws unless `value` is a well-formed RunningStats (e.g. a row read back from the database). */
export function assertRunningStats(value: unknown): asserts value is RunningStats {
  const s = value as RunningStats;
  const ok =
    typeof s === 'object' && s !== null &&
    Number.isInteger(s.n) && s.n >= 0 && Number.isFinite(s.mean) && Number.isFinite(s.m2) && s.m2 >= -1e-9 * (1 + Math.abs(s.m2));
  if (!ok) throw new EstimationError('invalid-input', `not a RunningStats object: ${JSON.stringify(value)}`);
}

export function emptyBivariateStats(): BivariateStats {
  return EMPTY_BIVARIATE;
}

/** One-pass statistics of paired values; xs[i] and ys[i] must come from the same seed. */
export function bivariateStatsOf(xs: ArrayLike<number>, ys: ArrayLike<number>): BivariateStats {
  if (xs.length !== ys.length) {
    throw new EstimationError('invalid-input', `paired samples need equal lengths, got ${xs.length} and ${ys.length}`);
  }
  let meanX = 0, meanY = 0, m2X = 0, m2Y = 0, cxy = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i];
    checkValue(x, i);
    checkValue(y, i);
    const n = i + 1;
    const dx = x - meanX;
    const dy = y - meanY;
    meanX += dx / n;
    meanY += dy / n;
    m2X += dx * (x - meanX);
    m2Y += dy * (y - meanY);
    cxy += dx * (y - meanY);
  }
  return { n: xs.length, meanX, meanY, m2X, m2Y, cxy };
}

export function addPair(stats: BivariateStats, x: number, y: number): BivariateStats {
  return mergeBivariateStats(stats, bivariateStatsOf([x], [y]));
}

export function mergeBivariateStats(a: BivariateStats, b: BivariateStats): BivariateStats {
  if (b.n === 0) return a;
  if (a.n === 0) return b;
  const n = a.n + b.n;
  const dx = b.meanX - a.meanX;
  const dy = b.meanY - a.meanY;
  const w = (a.n * b.n) / n;
  return {
    n,
    meanX: a.meanX + (dx * b.n) / n,
    meanY: a.meanY + (dy * b.n) / n,
    m2X: a.m2X + b.m2X + dx * dx * w,
    m2Y: a.m2Y + b.m2Y + dy * dy * w,
    cxy: a.cxy + b.cxy + dx * dy * w,
  };
}

/** Marginal statistics of x (`'x'`) or y (`'y'`). */
export function marginalStats(stats: BivariateStats, which: 'x' | 'y'): RunningStats {
  return which === 'x'
    ? { n: stats.n, mean: stats.meanX, m2: stats.m2X }
    : { n: stats.n, mean: stats.meanY, m2: stats.m2Y };
}

/** Statistics of the paired differences x_i - y_i, exact from the co-moments. */
export function differenceStats(stats: BivariateStats): RunningStats {
  return {
    n: stats.n,
    mean: stats.meanX - stats.meanY,
    m2: Math.max(0, stats.m2X + stats.m2Y - 2 * stats.cxy),
  };
}

/** Unbiased sample covariance; NaN below two samples. */
export function sampleCovariance(stats: BivariateStats): number {
  return stats.n < 2 ? Number.NaN : stats.cxy / (stats.n - 1);
}

/** Pearson correlation; NaN when either variance is zero or below two samples. */
export function sampleCorrelation(stats: BivariateStats): number {
  const denominator = Math.sqrt(stats.m2X * stats.m2Y);
  return stats.n < 2 || denominator === 0 ? Number.NaN : Math.max(-1, Math.min(1, stats.cxy / denominator));
}
