import type { FloatArray } from '../sampling/denoiser';
import { gmmLogDensity, type IsotropicGmm } from '../sampling/gaussian';
import { getNoiseSchedule } from '../sampling/noise-schedules';
import { assertKind, meanAndStderr, type MergeableStat } from './stat';

/** Exact negative log-likelihood of samples under the data distribution (t = 0) of a GMM testbed. */
export interface GmmNllState {
  kind: 'gmm-nll';
  n: number;
  sum: number;
  sumSq: number;
  /** Data dimension (for the per-dimension value); 0 until the first batch. */
  dim: number;
}

export interface GmmNllBatch {
  gmm: IsotropicGmm;
  /** Samples [rows, gmm.dim]. */
  x: FloatArray;
}

export interface GmmNllResult {
  /** Mean NLL in nats per sample. */
  nll: number;
  stderr: number;
  /** Mean NLL in nats per dimension. */
  nllPerDim: number;
  n: number;
}

export const gmmNllStat: MergeableStat<GmmNllState, GmmNllBatch, GmmNllResult> = {
  kind: 'gmm-nll',
  empty: () => ({ kind: 'gmm-nll', n: 0, sum: 0, sumSq: 0, dim: 0 }),
  add(state, { gmm, x }) {
    assertKind(state, 'gmm-nll');
    if (state.dim !== 0 && state.dim !== gmm.dim) throw new RangeError(`dimension changed from ${state.dim} to ${gmm.dim}`);
    // t = 0 is the data density; the schedule is not used there.
    const logp = gmmLogDensity(gmm, getNoiseSchedule('vp-linear'), x, 0);
    for (const lp of logp) {
      state.sum -= lp;
      state.sumSq += lp * lp;
    }
    state.n += logp.length;
    state.dim = gmm.dim;
    return state;
  },
  merge(a, b) {
    assertKind(a, 'gmm-nll');
    assertKind(b, 'gmm-nll');
    if (a.dim !== 0 && b.dim !== 0 && a.dim !== b.dim) throw new RangeError(`cannot merge NLL statistics of dimension ${a.dim} and ${b.dim}`);
    return { kind: 'gmm-nll', n: a.n + b.n, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq, dim: a.dim || b.dim };
  },
  finalize(state) {
    assertKind(state, 'gmm-nll');
    const { mean, stderr } = meanAndStderr(state.n, state.sum, state.sumSq);
    return { nll: mean, stderr, nllPerDim: state.dim > 0 ? mean / state.dim : NaN, n: state.n };
  },
};
