import type { FloatArray } from '../sampling/denoiser';
import { assertKind, type MergeableStat } from './stat';

/**
 * Sufficient statistics of a Gaussian fit: n, the mean and the centered sum of outer products
 * M2 = sum_i (x_i - mean)(x_i - mean)^T (upper triangle, packed row by row). Batches and blocks are
 * combined with Chan et al.'s pairwise update, which equals the one-pass result exactly in exact
 * arithmetic and, unlike raw sums of x x^T, does not cancel catastrophically when |mean| >> std.
 */
export interface GaussianFitState {
  kind: 'gaussian-fit';
  dim: number;
  n: number;
  mean: number[];
  /** Packed upper triangle of M2: (0,0..d-1), (1,1..d-1), ..., length d(d+1)/2. */
  m2: number[];
}

export interface GaussianFit {
  n: number;
  mean: Float64Array;
  /** Unbiased covariance M2/(n-1), full dim x dim row-major. */
  covariance: Float64Array;
}

export function packedSize(dim: number): number {
  return (dim * (dim + 1)) / 2;
}

function mergeInto(target: GaussianFitState, nB: number, meanB: ArrayLike<number>, m2B: ArrayLike<number>): void {
  const d = target.dim, nA = target.n, n = nA + nB;
  if (nB === 0) return;
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = meanB[j] - target.mean[j];
  const w = (nA * nB) / n;
  let p = 0;
  for (let i = 0; i < d; i++) {
    const wi = w * delta[i];
    for (let j = i; j < d; j++, p++) target.m2[p] += m2B[p] + wi * delta[j];
  }
  for (let j = 0; j < d; j++) target.mean[j] += (delta[j] * nB) / n;
  target.n = n;
}

export const gaussianFitStat: MergeableStat<GaussianFitState, FloatArray, GaussianFit, [dim: number]> = {
  kind: 'gaussian-fit',
  empty(dim) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    return { kind: 'gaussian-fit', dim, n: 0, mean: new Array<number>(dim).fill(0), m2: new Array<number>(packedSize(dim)).fill(0) };
  },
  add(state, x) {
    assertKind(state, 'gaussian-fit');
    const d = state.dim;
    if (x.length % d !== 0) throw new RangeError(`${x.length} values are not rows of dim ${d}`);
    const m = x.length / d;
    if (m === 0) return state;
    const mean = new Float64Array(d);
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) mean[j] += x[r * d + j];
    for (let j = 0; j < d; j++) mean[j] /= m;
    const m2 = new Float64Array(packedSize(d));
    const c = new Float64Array(d);
    for (let r = 0; r < m; r++) {
      for (let j = 0; j < d; j++) c[j] = x[r * d + j] - mean[j];
      let p = 0;
      for (let i = 0; i < d; i++) {
        const ci = c[i];
        for (let j = i; j < d; j++, p++) m2[p] += ci * c[j];
      }
    }
    mergeInto(state, m, mean, m2);
    return state;
  },
  merge(a, b) {
    assertKind(a, 'gaussian-fit');
    assertKind(b, 'gaussian-fit');
    if (a.dim !== b.dim) throw new RangeError(`cannot merge Gaussian fits of dimension ${a.dim} and ${b.dim}`);
    const out: GaussianFitState = { kind: 'gaussian-fit', dim: a.dim, n: a.n, mean: a.mean.slice(), m2: a.m2.slice() };
    if (a.n === 0) return { ...out, n: b.n, mean: b.mean.slice(), m2: b.m2.slice() };
    mergeInto(out, b.n, b.mean, b.m2);
    return out;
  },
  finalize(state) {
    assertKind(state, 'gaussian-fit');
    const d = state.dim;
    const covariance = new Float64Array(d * d);
    const scale = state.n > 1 ? 1 / (state.n - 1) : NaN;
    let p = 0;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++, p++) {
        const v = state.m2[p] * scale;
        covariance[i * d + j] = v;
        covariance[j * d + i] = v;
      }
    }
    return { n: state.n, mean: Float64Array.from(state.mean), covariance };
  },
};
