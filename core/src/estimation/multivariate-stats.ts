import { EstimationError } from './errors';

/**
 * Mergeable mean vector and co-moment matrix of p quantities observed together on each seed
 * (a metric and its control variates; K racing candidates). Plain arrays, so a block's summary
 * is JSON and merges exactly with any other block (Chan et al. update, matrix form).
 */
export interface MultivariateStats {
  readonly n: number;
  readonly mean: readonly number[];
  /** Symmetric p x p matrix: sum over samples of (x - mean)(x - mean)'. */
  readonly comoment: readonly (readonly number[])[];
}

export function emptyMultivariateStats(dim: number): MultivariateStats {
  if (!Number.isInteger(dim) || dim < 1) throw new EstimationError('invalid-input', `dimension must be a positive integer, got ${dim}`);
  return {
    n: 0,
    mean: new Array<number>(dim).fill(0),
    comoment: Array.from({ length: dim }, () => new Array<number>(dim).fill(0)),
  };
}

/**
 * One-pass statistics from columns: columns[j][i] is quantity j on sample i.
 * All columns must have the same length (they come from the same seeds).
 */
export function multivariateStatsOf(columns: readonly ArrayLike<number>[]): MultivariateStats {
  const p = columns.length;
  const empty = emptyMultivariateStats(p);
  const n = columns[0].length;
  for (let j = 0; j < p; j++) {
    if (columns[j].length !== n) {
      throw new EstimationError('invalid-input', `column ${j} has ${columns[j].length} samples, column 0 has ${n}`);
    }
  }
  const mean = empty.mean.slice();
  const comoment = empty.comoment.map((row) => row.slice());
  const delta = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const count = i + 1;
    for (let j = 0; j < p; j++) {
      const x = columns[j][i];
      if (!Number.isFinite(x)) throw new EstimationError('invalid-input', `sample ${i} of column ${j} is ${x}; samples must be finite`);
      delta[j] = x - mean[j];
      mean[j] += delta[j] / count;
    }
    for (let j = 0; j < p; j++) {
      const after = columns[j][i] - mean[j];
      const row = comoment[j];
      for (let k = 0; k < p; k++) row[k] += delta[k] * after;
    }
  }
  // Symmetrize: the update is symmetric in exact arithmetic only.
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) comoment[j][k] = comoment[k][j] = 0.5 * (comoment[j][k] + comoment[k][j]);
  return { n, mean, comoment };
}

export function mergeMultivariateStats(a: MultivariateStats, b: MultivariateStats): MultivariateStats {
  if (a.mean.length !== b.mean.length) {
    throw new EstimationError('invalid-input', `cannot merge statistics of dimension ${a.mean.length} and ${b.mean.length}`);
  }
  if (b.n === 0) return a;
  if (a.n === 0) return b;
  const n = a.n + b.n;
  const p = a.mean.length;
  const delta = a.mean.map((m, j) => b.mean[j] - m);
  const w = (a.n * b.n) / n;
  return {
    n,
    mean: a.mean.map((m, j) => m + (delta[j] * b.n) / n),
    comoment: Array.from({ length: p }, (_, j) =>
      Array.from({ length: p }, (_, k) => a.comoment[j][k] + b.comoment[j][k] + delta[j] * delta[k] * w),
    ),
  };
}

/** Statistics of a subset of the quantities, in the order given. */
export function selectDims(stats: MultivariateStats, dims: readonly number[]): MultivariateStats {
  return {
    n: stats.n,
    mean: dims.map((j) => stats.mean[j]),
    comoment: dims.map((j) => dims.map((k) => stats.comoment[j][k])),
  };
}

/** Unbiased covariance matrix (denominator n - 1). */
export function covarianceMatrix(stats: MultivariateStats): number[][] {
  if (stats.n < 2) throw new EstimationError('insufficient-data', `a covariance needs at least 2 samples, got ${stats.n}`);
  return stats.comoment.map((row) => row.map((c) => c / (stats.n - 1)));
}
