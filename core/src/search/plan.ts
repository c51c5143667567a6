import { effectiveSpace, type TStudyConfig } from '../config/study';
import type { TParams, TSpace } from '../config/space';
import { gridSize, gridTrialParams } from './grid-search';
import { randomTrialParams } from './random-search';

/**
 * What a non-adaptive study will run: how many trials, and trial n's parameters. Pure and
 * deterministic, so workflow code may call it directly.
 */
export interface TrialPlan {
  space: TSpace;
  total: number;
  /** Trial n's parameters; null for adaptive kinds, whose proposals depend on results so far. */
  params: ((trialNumber: number) => TParams) | null;
}

export function planTrials(config: TStudyConfig): TrialPlan {
  const space = config.kind === 'evaluate' || config.kind === 's3' ? [] : effectiveSpace(config);
  switch (config.kind) {
    case 'grid': {
      const total = Math.min(config.budget.trials, gridSize(space));
      return { space, total, params: (n) => gridTrialParams(space, n) };
    }
    case 'random':
      return { space, total: config.budget.trials, params: (n) => randomTrialParams(space, config.seed, n) };
    case 'evaluate': {
      const candidates = config.candidates ?? [];
      return { space, total: candidates.length, params: (n) => candidates[n] };
    }
    default:
      return { space, total: config.budget.trials, params: null };
  }
}

/** Whether `value` meets the study's target (direction-aware); false when there is none. */
export function reachesTarget(config: TStudyConfig, value: number | null): boolean {
  const target = config.budget.targetValue;
  if (target === undefined || value === null) return false;
  return config.objective.direction === 'minimize' ? value <= target : value >= target;
}

/** The numeric input vector of a test function, in space order. */
export function paramsToVector(space: TSpace, params: TParams): number[] {
  return space.map((p) => {
    const v = params[p.name];
    if (typeof v !== 'number') throw new TypeError(`parameter ${p.name} must be numeric for a function objective, got ${JSON.stringify(v)}`);
    return v;
  });
}

/** Default trials per compute activity for cheap objectives: a few activities keep `parallel` busy. */
export function defaultBatchSize(config: TStudyConfig): number {
  if (config.budget.batchSize) return config.budget.batchSize;
  // Adaptive proposals should see every result that is in: one new trial per free slot.
  if (config.kind === 'bayesopt' || config.objective.type !== 'function') return 1;
  return Math.min(64, Math.max(1, Math.ceil(config.budget.parallel / 4)));
}
