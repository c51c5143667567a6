import type { TStudyConfig } from './study';
import { THRESHOLDOUT_BLOCK_MAX } from './study';
import { isSetMetric } from './objectives';
import { planTrials } from '../search/plan';
import { samplesPerUnit, stoppingPolicy } from '../search/objective-params';

/**
 * Per-study caps on how many samples a sampler study may draw, checked at launch from the config
 * alone: a typo such as 1e6 trials x 1e6 samples is refused before a row or a workflow exists,
 * rather than discovered as a week of GPU time. The numbers are worst cases (every trial runs to
 * maxSamples, every new best is checked against the holdout), so a study under the cap can never
 * pass it. The caps come from the operator (environment of the API process); see
 * service/src/launch-checks.ts.
 */

export interface StudyLimits {
  /** Most samples one study may draw in the worst case, search and holdout together. */
  maxStudySamples: number;
  /** Most samples one compute activity may be asked for. */
  maxSamplesPerActivity: number;
}

export const DEFAULT_STUDY_LIMITS: StudyLimits = { maxStudySamples: 10_000_000, maxSamplesPerActivity: 65_536 };

export interface WorstCaseSamples {
  trials: number;
  /** Samples of one trial (candidate) that runs to its cap. */
  perTrial: number;
  search: number;
  holdout: number;
  total: number;
  /** The largest single request to a compute worker: the first block of an estimate. */
  perActivity: number;
}

/** Worst-case sample counts of a sampler study; null for objectives that draw no samples. */
export function worstCaseSamples(cfg: TStudyConfig): WorstCaseSamples | null {
  const objective = cfg.objective;
  if (objective.type !== 'sampler') return null;
  const est = objective.estimation;
  const trials = planTrials(cfg).total;
  let perTrial: number;
  let perActivity: number;
  if (cfg.kind === 'evaluate') {
    // The race draws seed blocks per candidate: max(blockSize, minSamples) first, then blockSize.
    perTrial = est.maxSamples;
    perActivity = Math.min(est.maxSamples, Math.max(est.blockSize, est.minSamples));
  } else {
    const policy = stoppingPolicy(est, objective.metric);
    const unit = samplesPerUnit(objective);
    perTrial = policy.maxSamples * unit;
    perActivity = Math.min(policy.maxSamples, Math.max(policy.blockSize, policy.minSamples)) * unit;
  }
  let holdout = 0;
  if (cfg.holdout) {
    if (cfg.kind === 'evaluate') holdout = trials * cfg.holdout.size;
    else {
      holdout = cfg.holdout.size;
      if (cfg.holdout.thresholdout) holdout += trials * Math.min(cfg.holdout.size, THRESHOLDOUT_BLOCK_MAX);
    }
    perActivity = Math.max(perActivity, Math.min(cfg.holdout.size, est.blockSize));
  }
  const search = trials * perTrial;
  return { trials, perTrial, search, holdout, total: search + holdout, perActivity };
}

export interface LimitIssue {
  field: string;
  message: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** Field-level issues for a config that breaks the caps; empty when it fits. */
export function studyLimitIssues(cfg: TStudyConfig, limits: StudyLimits = DEFAULT_STUDY_LIMITS): LimitIssue[] {
  const worst = worstCaseSamples(cfg);
  if (!worst || cfg.objective.type !== 'sampler') return [];
  const est = cfg.objective.estimation;
  const issues: LimitIssue[] = [];
  const perActivityCap = `the cap of ${fmt(limits.maxSamplesPerActivity)} samples per compute activity (STEPWISE_MAX_SAMPLES_PER_ACTIVITY)`;
  if (est.blockSize > limits.maxSamplesPerActivity) {
    issues.push({ field: 'objective.estimation.blockSize', message: `blockSize ${fmt(est.blockSize)} is above ${perActivityCap}; lower it to at most ${fmt(limits.maxSamplesPerActivity)}` });
  } else if (worst.perActivity > limits.maxSamplesPerActivity) {
    const setMetric = cfg.kind !== 'evaluate' && isSetMetric(cfg.objective.metric);
    if (setMetric && est.minSamples <= 2 * est.blockSize) {
      issues.push({
        field: 'objective.estimation.blockSize',
        message: `${cfg.objective.metric} is estimated over sets of blockSize samples and the first activity draws 2 sets (${fmt(worst.perActivity)} samples), above ${perActivityCap}; lower blockSize to at most ${fmt(Math.floor(limits.maxSamplesPerActivity / 2))}`,
      });
    } else {
      issues.push({
        field: 'objective.estimation.minSamples',
        message: `the first block of each estimate draws ${fmt(worst.perActivity)} samples in one activity (minSamples ${fmt(est.minSamples)}, blockSize ${fmt(est.blockSize)}), above ${perActivityCap}; lower minSamples to at most ${fmt(limits.maxSamplesPerActivity)}`,
      });
    }
  }
  if (worst.total > limits.maxStudySamples) {
    const searchPart = cfg.kind === 'evaluate'
      ? `${fmt(worst.trials)} candidates x objective.estimation.maxSamples ${fmt(worst.perTrial)}`
      : `budget.trials ${fmt(worst.trials)} x ${fmt(worst.perTrial)} samples per trial (objective.estimation.maxSamples)`;
    const holdoutPart = worst.holdout > 0 ? ` + ${fmt(worst.holdout)} holdout samples` : '';
    const field = worst.holdout > worst.search ? 'holdout.size' : cfg.kind === 'evaluate' ? 'objective.estimation.maxSamples' : 'budget.trials';
    const fix = field === 'holdout.size' ? 'lower holdout.size' : cfg.kind === 'evaluate' ? 'lower objective.estimation.maxSamples' : 'lower budget.trials or objective.estimation.maxSamples';
    issues.push({
      field,
      message: `this study may draw up to ${fmt(worst.total)} samples (${searchPart}${holdoutPart}), above the cap of ${fmt(limits.maxStudySamples)} per study (STEPWISE_MAX_STUDY_SAMPLES); ${fix}`,
    });
  }
  return issues;
}
