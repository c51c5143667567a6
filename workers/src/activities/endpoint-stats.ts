import type { IsotropicGmm, RunningStats } from '@stepwise/core';

/**
 * What the RMSE metric reports beside its per-sample values (issue #11, item 7). The metric
 * `rmse` is the mean over samples of each sample's RMSE to its reference endpoint; the pooled
 * RMSE, sqrt(mean over samples of MSE), weights the few samples that land far away (in another
 * mixture component than their reference) much more, so the two can tell different stories.
 * Both need only sums, so blocks merge exactly: they ride in the block's stats next to n/mean/m2.
 */
export interface EndpointStats extends RunningStats {
  /** Sum over the block's samples of the per-sample MSE (mean over coordinates of the squared error). */
  readonly sumMse: number;
  /** Samples whose endpoint's nearest mixture component differs from the reference's (GMM testbeds only). */
  readonly wrongComponent?: number;
  /** The seed stream of the block's samples (every sampler block records it; see sampler-block.ts). */
  readonly seed?: number;
}

/**
 * The component with the largest posterior responsibility under the data distribution (t = 0):
 * argmax_k log w_k - |x - mu_k|^2 / (2 s_k^2) - (D/2) log s_k^2, per row of x [B, dim].
 */
export function nearestComponents(gmm: IsotropicGmm, x: ArrayLike<number>, batch: number): Int32Array {
  const { dim, weights, means, variances } = gmm;
  const K = weights.length;
  const out = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    let best = -Infinity, arg = 0;
    for (let k = 0; k < K; k++) {
      let d2 = 0;
      for (let j = 0; j < dim; j++) {
        const diff = x[b * dim + j] - means[k * dim + j];
        d2 += diff * diff;
      }
      const logit = Math.log(weights[k]) - d2 / (2 * variances[k]) - 0.5 * dim * Math.log(variances[k]);
      if (logit > best) {
        best = logit;
        arg = k;
      }
    }
    out[b] = arg;
  }
  return out;
}

// Every trial of a study compares against the same cached reference blocks (common random
// numbers): their components are computed once per reference array (O(batch K dim) each time).
const refComponents = new WeakMap<object, Int32Array>();
function referenceComponents(gmm: IsotropicGmm, ref: ArrayLike<number>, batch: number): Int32Array {
  const key = ref as unknown as object;
  let c = refComponents.get(key);
  if (!c || c.length !== batch) {
    c = nearestComponents(gmm, ref, batch);
    refComponents.set(key, c);
  }
  return c;
}

/**
 * Per-sample RMSE of endpoints x against reference endpoints ref (both [B, dim]), with the sums
 * for the pooled RMSE and, given the mixture, the count of samples in the wrong component.
 */
export function endpointErrors(x: ArrayLike<number>, ref: ArrayLike<number>, batch: number, dim: number, gmm?: IsotropicGmm): { values: Float64Array<ArrayBuffer>; sumMse: number; wrongComponent?: number } {
  const values = new Float64Array(batch);
  let sumMse = 0;
  for (let i = 0; i < batch; i++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) {
      const diff = x[i * dim + d] - ref[i * dim + d];
      sq += diff * diff;
    }
    values[i] = Math.sqrt(sq / dim);
    sumMse += sq / dim;
  }
  if (!gmm || gmm.weights.length < 2) return gmm ? { values, sumMse, wrongComponent: 0 } : { values, sumMse };
  const a = nearestComponents(gmm, x, batch), b = referenceComponents(gmm, ref, batch);
  let wrong = 0;
  for (let i = 0; i < batch; i++) if (a[i] !== b[i]) wrong++;
  return { values, sumMse, wrongComponent: wrong };
}
