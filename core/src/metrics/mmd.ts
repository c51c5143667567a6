import type { FloatArray } from '../sampling/denoiser';
import { assertKind, meanAndStderr, type MergeableStat } from './stat';

/**
 * Unbiased MMD^2 with the RBF kernel k(a, b) = exp(-|a - b|^2 / (2 h^2)).
 *
 * Unbiased MMD^2 needs all pairs, which no fixed-size statistic can merge. So each added batch is a
 * block (m generated, n reference rows) with its own unbiased U-statistic
 *   1/(m(m-1)) sum_{i!=j} k(x_i,x_j) + 1/(n(n-1)) sum_{i!=j} k(y_i,y_j) - 2/(mn) sum k(x_i,y_j),
 * and the metric is the mean over blocks (still unbiased, with a standard error across blocks).
 * The bandwidth h must be shared by all blocks: pass it to empty(), or the first block fixes it
 * with the median heuristic (h = median pairwise distance in the pooled block); merging states
 * with different bandwidths is an error.
 */
export interface MmdState {
  kind: 'mmd';
  dim: number;
  bandwidth: number | null;
  blocks: number;
  sum: number;
  sumSq: number;
  nGenerated: number;
  nReference: number;
}

export interface MmdBatch {
  generated: FloatArray;
  reference: FloatArray;
}

export interface MmdResult {
  mmd2: number;
  /** Standard error across blocks (NaN with one block). */
  stderr: number;
  blocks: number;
  bandwidth: number | null;
}

function sqDist(a: FloatArray, ao: number, b: FloatArray, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/** Median pairwise Euclidean distance over the pooled rows (at most maxRows of them, taken evenly). */
export function medianBandwidth(x: FloatArray, y: FloatArray, dim: number, maxRows = 1000): number {
  const rows: Array<[FloatArray, number]> = [];
  for (let o = 0; o < x.length; o += dim) rows.push([x, o]);
  for (let o = 0; o < y.length; o += dim) rows.push([y, o]);
  const stride = Math.max(1, Math.ceil(rows.length / maxRows));
  const pick = rows.filter((_, i) => i % stride === 0);
  const n = pick.length;
  if (n < 2) throw new RangeError('median heuristic needs at least two rows');
  const d2 = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d2[p++] = sqDist(pick[i][0], pick[i][1], pick[j][0], pick[j][1], dim);
  d2.sort();
  const mid = d2.length >> 1;
  const med = d2.length % 2 ? Math.sqrt(d2[mid]) : 0.5 * (Math.sqrt(d2[mid - 1]) + Math.sqrt(d2[mid]));
  if (!(med > 0)) throw new RangeError('median heuristic: the median pairwise distance is 0 (duplicate samples?)');
  return med;
}

/** The unbiased MMD^2 U-statistic of one block. */
export function mmd2Unbiased(x: FloatArray, y: FloatArray, dim: number, bandwidth: number): number {
  const m = x.length / dim, n = y.length / dim;
  if (!Number.isInteger(m) || !Number.isInteger(n)) throw new RangeError(`rows of dim ${dim} expected`);
  if (m < 2 || n < 2) throw new RangeError(`unbiased MMD^2 needs at least 2 rows on each side, got ${m} and ${n}`);
  if (!(bandwidth > 0)) throw new RangeError(`bandwidth must be positive, got ${bandwidth}`);
  const g = -1 / (2 * bandwidth * bandwidth);
  let kxx = 0, kyy = 0, kxy = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) kxx += Math.exp(g * sqDist(x, i * dim, x, j * dim, dim));
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) kyy += Math.exp(g * sqDist(y, i * dim, y, j * dim, dim));
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) kxy += Math.exp(g * sqDist(x, i * dim, y, j * dim, dim));
  return (2 * kxx) / (m * (m - 1)) + (2 * kyy) / (n * (n - 1)) - (2 * kxy) / (m * n);
}

export const mmdStat: MergeableStat<MmdState, MmdBatch, MmdResult, [dim: number, bandwidth?: number | null]> = {
  kind: 'mmd',
  empty(dim, bandwidth = null) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (bandwidth !== null && !(bandwidth > 0)) throw new RangeError(`bandwidth must be positive, got ${bandwidth}`);
    return { kind: 'mmd', dim, bandwidth, blocks: 0, sum: 0, sumSq: 0, nGenerated: 0, nReference: 0 };
  },
  add(state, { generated, reference }) {
    assertKind(state, 'mmd');
    state.bandwidth ??= medianBandwidth(generated, reference, state.dim);
    const v = mmd2Unbiased(generated, reference, state.dim, state.bandwidth);
    state.blocks += 1;
    state.sum += v;
    state.sumSq += v * v;
    state.nGenerated += generated.length / state.dim;
    state.nReference += reference.length / state.dim;
    return state;
  },
  merge(a, b) {
    assertKind(a, 'mmd');
    assertKind(b, 'mmd');
    if (a.dim !== b.dim) throw new RangeError(`cannot merge MMD statistics of dimension ${a.dim} and ${b.dim}`);
    if (a.blocks > 0 && b.blocks > 0 && a.bandwidth !== b.bandwidth) {
      throw new RangeError(`cannot merge MMD statistics with bandwidths ${a.bandwidth} and ${b.bandwidth}: fix the bandwidth in empty()`);
    }
    return {
      kind: 'mmd', dim: a.dim, bandwidth: a.blocks > 0 ? a.bandwidth : b.bandwidth ?? a.bandwidth,
      blocks: a.blocks + b.blocks, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq,
      nGenerated: a.nGenerated + b.nGenerated, nReference: a.nReference + b.nReference,
    };
  },
  finalize(state) {
    assertKind(state, 'mmd');
    const { mean, stderr } = meanAndStderr(state.blocks, state.sum, state.sumSq);
    return { mmd2: mean, stderr, blocks: state.blocks, bandwidth: state.bandwidth };
  },
};
