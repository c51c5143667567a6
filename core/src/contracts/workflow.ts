import type { TParams } from '../config/space';
import type { TStudyConfig } from '../config/study';

/**
 * Messages the orchestration workflows exchange with their (database) activities: the trials a
 * strategy proposes, the results that finish them, the seed blocks of an estimate. Plain JSON,
 * type-only for workflows; `@stepwise/db` writes them and re-exports them for its callers.
 */

export interface NewTrial {
  number: number;
  params: TParams;
  /** Why the point was proposed (adaptive strategies); omitted for grid/random. */
  proposal?: Record<string, unknown> | null;
}

export interface TrialResult {
  number: number;
  /** Cost: samples drawn and model evaluations per sample (sampler objectives). */
  costSamples?: number | null;
  costNfe?: number | null;
  /** The trial states a result can end in (a subset of the database's TrialStatus); `pruned`: stopped by the study's pruner. */
  status: 'completed' | 'failed' | 'pruned';
  value: number | null;
  /**
   * Multi-objective studies: one value per objective, in the config's `objectives` order
   * (`value` is the first). Absent for single-objective studies.
   */
  values?: number[] | null;
  stderr?: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  n?: number | null;
  error?: string | null;
  worker?: string | null;
  seconds?: number | null;
  attempt?: number;
}

export interface TrialBlockRecord {
  blockIndex: number;
  seedStart: number;
  seedEnd: number;
  /** Mergeable statistics of the block (e.g. RunningStats of a per-sample metric). */
  stats: unknown;
  /** Per-seed values, when the caller keeps them (evaluate races). */
  values?: number[] | null;
}

/** Input of the study workflow (started by the service, the reconciler and schedule firings). */
export interface StudyWorkflowInput {
  studyId: string;
  config: TStudyConfig;
  computeQueue?: string;
  /** Queue of the proposals workers (BO, S^3 screening); defaults to DEFAULT_PROPOSALS_QUEUE. */
  proposalsQueue?: string;
  /** Set by continue-as-new: the first trial number this run dispatches. */
  nextNumber?: number;
  completedBefore?: number;
  /** Set by continue-as-new: the best search estimate so far, and whether Thresholdout stopped. */
  search?: { best: { number: number; value: number } | null; thresholdoutDone: boolean };
  /** Set by continue-as-new: the study was paused when the previous run ended. */
  paused?: boolean;
  /** Set by continue-as-new in an `s3` study: the phase and counters the next run resumes from. */
  s3?: unknown;
}

export interface StudyProgress {
  dispatched: number;
  finished: number;
  inFlight: number;
  total: number;
  paused: boolean;
}

/**
 * The action of a rerun schedule. Each firing (Temporal gives it a unique workflow id)
 * materialises a new Study from the schedule's template and runs it as a child workflow.
 */
export interface ScheduledStudyInput {
  scheduleId: string;
  computeQueue?: string;
  proposalsQueue?: string;
}
