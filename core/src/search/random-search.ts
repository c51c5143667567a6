import { CounterRng } from '../rng';
import { isParamActive, type TParam, type TParams, type TParamValue, type TSpace } from '../config/space';

/**
 * Random search: trial n's parameters are a pure function of (study seed, n), so a replayed
 * workflow, a retried activity and a resumed study all propose exactly the same points.
 */

/** Streams below this offset are reserved for other per-trial randomness (e.g. objective noise). */
const PROPOSAL_STREAM = 1 << 30;

export function sampleParam(p: TParam, rng: CounterRng): TParamValue {
  switch (p.type) {
    case 'float': {
      const u = rng.uniform();
      return p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
    }
    case 'int': {
      if (p.log) {
        const lo = Math.log(p.low - 0.5 + 1e-9), hi = Math.log(p.high + 0.5);
        const v = Math.round(Math.exp(lo + rng.uniform() * (hi - lo)));
        return Math.min(p.high, Math.max(p.low, v));
      }
      return p.low + rng.int(p.high - p.low + 1);
    }
    case 'categorical':
      return p.choices[rng.int(p.choices.length)];
  }
}

/** Parameters are drawn in space order; an inactive one (see `when`) is skipped, draws nothing. */
export function randomTrialParams(space: TSpace, seed: number, trialNumber: number): TParams {
  const rng = new CounterRng(seed, PROPOSAL_STREAM + trialNumber);
  const out: TParams = {};
  for (const p of space) if (isParamActive(space, p, out)) out[p.name] = sampleParam(p, rng);
  return out;
}
