import { SAMPLER_OVERRIDABLE, ZSamplerObjective, isSetMetric, type SamplerMetric, type TEstimationSettings, type TSamplerObjective } from '../config/objectives';

/** Samples one unit of the stopping policy stands for: 1, or a whole set for set metrics. */
export function samplesPerUnit(objective: TSamplerObjective): number {
  return isSetMetric(objective.metric) ? objective.estimation.blockSize : 1;
}
import type { TParams } from '../config/space';
import type { StoppingPolicy } from '../estimation/stopping';

/**
 * A sampler trial's objective: the study's sampler settings with the trial's parameters of the
 * same name applied, re-validated so a bad combination fails the trial with a named field.
 */
export function resolveSamplerObjective(objective: TSamplerObjective, params: TParams): TSamplerObjective {
  const overrides: Record<string, unknown> = {};
  for (const key of SAMPLER_OVERRIDABLE) if (key in params) overrides[key] = params[key];
  return ZSamplerObjective.parse({ ...objective, ...overrides });
}

/**
 * The sequential stopping policy of an estimation (DESIGN section 7), in the units the estimate
 * is averaged over: samples for per-sample metrics, whole sets of blockSize samples for set
 * metrics (then a "block" of k means k sets).
 */
export function stoppingPolicy(e: TEstimationSettings, metric: SamplerMetric = 'rmse'): StoppingPolicy {
  if (isSetMetric(metric)) {
    const maxSets = Math.max(2, Math.floor(e.maxSamples / e.blockSize));
    return {
      minSamples: Math.min(maxSets, Math.max(2, Math.ceil(e.minSamples / e.blockSize))),
      maxSamples: maxSets,
      blockSize: 1,
      confidence: e.confidence,
      targetHalfWidth: e.targetHalfWidth,
      targetRelHalfWidth: e.targetRelHalfWidth,
      method: 't',
    };
  }
  return {
    minSamples: e.minSamples,
    maxSamples: e.maxSamples,
    blockSize: e.blockSize,
    confidence: e.confidence,
    targetHalfWidth: e.targetHalfWidth,
    targetRelHalfWidth: e.targetRelHalfWidth,
    method: 't',
  };
}
