import type { S3PredictorReport } from '../s3/search';

/**
 * What an `s3` study records beside its trials (under `strategyState.s3`) and what the service
 * returns about it. Plain JSON.
 */

/** One search stage of one NFE group (stage -1: the best tuned baseline, before the search). */
export interface S3StageRecord {
  stage: number;
  nfe: number;
  /** 'off' for the ablation arm (the same search without its predictor); absent for the search. */
  arm?: 'off';
  /** Search evaluations of the group so far (baselines not counted). */
  evaluations: number;
  /** Best search-seed value among the group's evaluated schedules so far (baselines included). */
  best: number | null;
  bestTrial: number | null;
  predictor: S3PredictorReport | null;
}

/** The certified comparison of one NFE group on the holdout seeds. */
export interface S3GroupReport {
  nfe: number;
  seeds: number;
  baseline: { trial: number; label: string; holdout: number | null; selectionTrial: number };
  searched: { trial: number; holdout: number | null; selectionTrial: number };
  /** searched - baseline on the holdout seeds (paired t-interval). */
  difference: { mean: number; ciLow: number; ciHigh: number; correlation: number; varianceRatio: number };
  /** 1 - searched / baseline (delta-method interval over the paired seeds). */
  improvement: { value: number; ciLow: number; ciHigh: number };
  evaluations: number;
  baselinesCompared: number;
  baselineFinalists: number;
  confidence: number;
  /**
   * With `ablation`: the same search without its predictor, certified on the same holdout seeds:
   * its improvement over the baseline, and the predictor's gain over it (1 - searched / off).
   */
  ablation?: {
    trial: number; holdout: number | null; selectionTrial: number; evaluations: number;
    improvement: { value: number; ciLow: number; ciHigh: number };
    predictorGain: { value: number; ciLow: number; ciHigh: number; differenceLow: number; differenceHigh: number };
  } | null;
}

/** Live per-group standing: counts per role and the best trial of each role on its own seeds. */
export interface S3GroupStanding {
  nfe: number;
  baselines: { total: number; completed: number; best: S3TrialPoint | null };
  search: { total: number; completed: number; best: S3TrialPoint | null };
  /** The ablation arm's search (no predictor), when the study runs it. */
  searchOff: { total: number; completed: number; best: S3TrialPoint | null } | null;
  select: { total: number; completed: number };
  holdout: { total: number; completed: number };
}

export interface S3TrialPoint {
  trial: number;
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  label: string | null;
}

export interface S3StudyView {
  model: { noiseSchedule: string; dim: number } | null;
  groups: S3GroupStanding[];
  stages: S3StageRecord[];
  report: S3GroupReport[] | null;
  /**
   * The certified pair's schedules per NFE (reusable JSON), once the report exists. A preset
   * baseline (dpm-solver-v3, dc-solver) has no schedule: `baseline` is null and `baselinePreset`
   * holds its sampler-objective settings (usable as an evaluate candidate).
   */
  winners: Array<{ nfe: number; searched: unknown; baseline: unknown; baselinePreset?: { preset: string; nfe: number; spacing: string; rho?: number } | null }>;
}
