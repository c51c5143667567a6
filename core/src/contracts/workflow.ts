import type { TParams } from '../config/space';

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
  /** The trial states a result can end in (a subset of the database's TrialStatus). */
  status: 'completed' | 'failed';
  value: number | null;
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
