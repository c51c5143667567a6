import type { FloatArray } from '../sampling/denoiser';
import { assertKind, meanAndStderr, type MergeableStat } from './stat';

/**
 * Trajectory RMSE to the reference endpoint: sqrt of the mean squared coordinate error over all
 * samples and coordinates. Per-sample MSEs are also summed (and squared) so the estimate carries
 * a standard error for adaptive estimation.
 */
export interface RmseState {
  kind: 'rmse';
  /** Samples. */
  n: number;
  /** Coordinates (n * dim). */
  count: number;
  sumSq: number;
  /** Sum over samples of the per-sample MSE, and of its square. */
  sumSampleMse: number;
  sumSampleMseSq: number;
}

export interface RmseBatch {
  /** Samples [rows, dim]. */
  x: FloatArray;
  /** Reference endpoints, same layout. */
  reference: FloatArray;
  dim: number;
}

export interface RmseResult {
  rmse: number;
  mse: number;
  /** Standard error of the per-sample MSE mean. */
  mseStderr: number;
  n: number;
}

export const rmseStat: MergeableStat<RmseState, RmseBatch, RmseResult> = {
  kind: 'rmse',
  empty: () => ({ kind: 'rmse', n: 0, count: 0, sumSq: 0, sumSampleMse: 0, sumSampleMseSq: 0 }),
  add(state, { x, reference, dim }) {
    assertKind(state, 'rmse');
    if (x.length !== reference.length) throw new RangeError(`samples (${x.length}) and reference (${reference.length}) differ in size`);
    if (!Number.isInteger(dim) || dim < 1 || x.length % dim !== 0) throw new RangeError(`${x.length} values are not rows of dim ${dim}`);
    for (let off = 0; off < x.length; off += dim) {
      let s = 0;
      for (let j = off; j < off + dim; j++) {
        const d = x[j] - reference[j];
        s += d * d;
      }
      const mse = s / dim;
      state.sumSq += s;
      state.sumSampleMse += mse;
      state.sumSampleMseSq += mse * mse;
      state.n += 1;
      state.count += dim;
    }
    return state;
  },
  merge(a, b) {
    assertKind(a, 'rmse');
    assertKind(b, 'rmse');
    return {
      kind: 'rmse', n: a.n + b.n, count: a.count + b.count, sumSq: a.sumSq + b.sumSq,
      sumSampleMse: a.sumSampleMse + b.sumSampleMse, sumSampleMseSq: a.sumSampleMseSq + b.sumSampleMseSq,
    };
  },
  finalize(state) {
    assertKind(state, 'rmse');
    const mse = state.count > 0 ? state.sumSq / state.count : NaN;
    return { rmse: Math.sqrt(mse), mse, mseStderr: meanAndStderr(state.n, state.sumSampleMse, state.sumSampleMseSq).stderr, n: state.n };
  },
};
