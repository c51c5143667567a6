import type { FloatArray } from '../sampling/denoiser';
import type { IsotropicGmm } from '../sampling/gaussian';
import { gaussianFitStat, type GaussianFitState } from './gaussian-fit';
import { assertKind, type MergeableStat } from './stat';
import { matMul, psdSqrt, symmetricEigen } from './symmetric-eigen';

/**
 * Fréchet (2-Wasserstein) distance between N(m1, S1) and N(m2, S2):
 *   |m1 - m2|^2 + tr S1 + tr S2 - 2 tr (S1^{1/2} S2 S1^{1/2})^{1/2},
 * the trace term as sum sqrt(eig(A S2 A)) with A = S1^{1/2}; both through symmetric
 * eigendecompositions, so no non-symmetric square root (and no complex parts) is ever needed.
 * Returns the squared distance (what FID reports), clamped at 0 against rounding.
 */
export function frechetDistance(mean1: ArrayLike<number>, cov1: ArrayLike<number>, mean2: ArrayLike<number>, cov2: ArrayLike<number>, dim: number): number {
  if (mean1.length !== dim || mean2.length !== dim || cov1.length !== dim * dim || cov2.length !== dim * dim) {
    throw new RangeError(`Fréchet distance: expected means of ${dim} and ${dim}x${dim} covariances`);
  }
  let diff = 0, tr = 0;
  for (let j = 0; j < dim; j++) {
    diff += (mean1[j] - mean2[j]) ** 2;
    tr += cov1[j * dim + j] + cov2[j * dim + j];
  }
  const a = psdSqrt(cov1, dim);
  const m = matMul(matMul(a, Float64Array.from(cov2), dim), a, dim);
  const { values } = symmetricEigen(m, dim, false);
  let traceSqrt = 0;
  for (const v of values) traceSqrt += Math.sqrt(Math.max(v, 0));
  return Math.max(0, diff + tr - 2 * traceSqrt);
}

/** Exact mean and covariance of an isotropic mixture: sum_k w_k (s_k^2 I + mu_k mu_k^T) - m m^T. */
export function gmmMoments(gmm: IsotropicGmm): { mean: Float64Array; covariance: Float64Array } {
  const { dim: d, weights, means, variances } = gmm;
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k], o = k * d;
    for (let i = 0; i < d; i++) {
      mean[i] += w * means[o + i];
      cov[i * d + i] += w * variances[k];
      const wi = w * means[o + i];
      for (let j = 0; j < d; j++) cov[i * d + j] += wi * means[o + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] -= mean[i] * mean[j];
  return { mean, covariance: cov };
}

export interface FrechetState {
  kind: 'frechet';
  generated: GaussianFitState;
  reference: GaussianFitState;
}

export interface FrechetBatch {
  /** Generated samples [rows, dim]. */
  generated?: FloatArray;
  /** Reference samples (data draws or reference-solver endpoints) [rows, dim]. */
  reference?: FloatArray;
}

export interface FrechetResult {
  frechet: number;
  nGenerated: number;
  nReference: number;
}

export const frechetStat: MergeableStat<FrechetState, FrechetBatch, FrechetResult, [dim: number]> = {
  kind: 'frechet',
  empty: (dim) => ({ kind: 'frechet', generated: gaussianFitStat.empty(dim), reference: gaussianFitStat.empty(dim) }),
  add(state, batch) {
    assertKind(state, 'frechet');
    if (batch.generated) gaussianFitStat.add(state.generated, batch.generated);
    if (batch.reference) gaussianFitStat.add(state.reference, batch.reference);
    return state;
  },
  merge(a, b) {
    assertKind(a, 'frechet');
    assertKind(b, 'frechet');
    return { kind: 'frechet', generated: gaussianFitStat.merge(a.generated, b.generated), reference: gaussianFitStat.merge(a.reference, b.reference) };
  },
  finalize(state) {
    assertKind(state, 'frechet');
    const g = gaussianFitStat.finalize(state.generated), r = gaussianFitStat.finalize(state.reference);
    if (g.n < 2 || r.n < 2) return { frechet: NaN, nGenerated: g.n, nReference: r.n };
    return { frechet: frechetDistance(g.mean, g.covariance, r.mean, r.covariance, state.generated.dim), nGenerated: g.n, nReference: r.n };
  },
};
