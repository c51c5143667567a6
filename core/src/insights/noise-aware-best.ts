import type { TSpace } from '../config/space';
import type { SurrogateObservation } from '../contracts/insights';
import { encodeParams } from '../bo/encoding';
import { fitSurrogate } from './surrogate';

/**
 * "Best" under noise. The smallest observed value of a noisy objective is mostly the luckiest
 * draw (a noisy Hartmann-6 shows -3.416 beside the true optimum -3.322), so the dashboard also
 * reports a best chosen by a rule that discounts luck, with its interval:
 * - estimated metrics (each trial's value is a mean with a confidence interval): the trial whose
 *   pessimistic bound is best (lowest upper bound when minimizing, highest lower bound when
 *   maximizing), i.e. the best lower confidence bound of the objective being improved;
 * - noisy function objectives and bayesopt: the trial with the best GP posterior mean at its own
 *   point, which pools the neighbours' draws, with the posterior's 95% interval.
 */

export type NoiseAwareRule = 'confidence-bound' | 'posterior-mean';

export interface NoiseAwareCandidate {
  number: number;
  value: number;
  ciLow?: number | null;
  ciHigh?: number | null;
}

export interface NoiseAwareBest {
  rule: NoiseAwareRule;
  trialNumber: number;
  /** The estimate of the chosen trial's true value (its mean, or the posterior mean). */
  estimate: number;
  low: number;
  high: number;
  /** The raw observed value of that trial. */
  observed: number;
  /** How many trials the rule compared. */
  compared: number;
}

const Z95 = 1.959963984540054;

/** Best pessimistic confidence bound among trials that carry an interval; null when none does. */
export function bestByConfidenceBound(candidates: readonly NoiseAwareCandidate[], direction: 'minimize' | 'maximize'): NoiseAwareBest | null {
  let best: NoiseAwareCandidate | null = null;
  let bestBound = 0;
  let compared = 0;
  for (const c of candidates) {
    if (c.ciLow == null || c.ciHigh == null || !Number.isFinite(c.value)) continue;
    compared++;
    const bound = direction === 'minimize' ? c.ciHigh : c.ciLow;
    if (best === null || (direction === 'minimize' ? bound < bestBound : bound > bestBound)) {
      best = c;
      bestBound = bound;
    }
  }
  if (best === null) return null;
  return { rule: 'confidence-bound', trialNumber: best.number, estimate: best.value, low: best.ciLow!, high: best.ciHigh!, observed: best.value, compared };
}

/**
 * Best GP posterior mean over the observed points (a Matérn-5/2 GP as the surrogate view fits it;
 * `noiseStd` is the objective's known noise, added as each point's known variance when no
 * per-trial stderr is given). Null below three usable observations or when the GP cannot be fitted.
 */
export function bestByPosteriorMean(
  space: TSpace,
  observations: readonly SurrogateObservation[],
  direction: 'minimize' | 'maximize',
  opts: { noiseStd?: number; state?: unknown; seed?: number } = {},
): NoiseAwareBest | null {
  const noise = opts.noiseStd && opts.noiseStd > 0 ? opts.noiseStd : null;
  const obs = noise === null ? observations : observations.map((o) => ({ ...o, stderr: o.stderr ?? noise }));
  const fit = fitSurrogate(space, obs, direction, { state: opts.state, seed: opts.seed });
  if (!fit) return null;
  const { enc, model, mu, sd, sign, used } = fit;
  const X = new Float64Array(used.length * enc.dim);
  used.forEach((o, i) => X.set(encodeParams(enc, o.params), i * enc.dim));
  const mean = new Float64Array(used.length);
  const variance = new Float64Array(used.length);
  model.predict(X, used.length, mean, variance);
  let bi = -1;
  for (let i = 0; i < used.length; i++) if (Number.isFinite(mean[i]) && (bi < 0 || mean[i] < mean[bi])) bi = i;
  if (bi < 0) return null;
  // Model space is (sign * value - mu) / sd: back to the metric's own scale and direction.
  const m = sign * (mean[bi] * sd + mu);
  const half = Z95 * Math.sqrt(Math.max(0, variance[bi])) * sd;
  return { rule: 'posterior-mean', trialNumber: used[bi].number, estimate: m, low: m - half, high: m + half, observed: used[bi].value, compared: used.length };
}
