import { SAMPLER_OVERRIDABLE, ZSamplerObjective, type TEstimationSettings, type TSamplerObjective } from '../config/objectives';
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

/** The sequential stopping policy of an estimation block (DESIGN section 7). */
export function stoppingPolicy(e: TEstimationSettings): StoppingPolicy {
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
