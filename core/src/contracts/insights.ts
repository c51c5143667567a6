import type { TParams } from '../config/space';

/**
 * What the dashboard's queries (`@stepwise/db`) hand to the insight math (`core/src/insights`):
 * seed blocks of a trial and completed observations. The database layer fills these shapes and
 * imports nothing else of core's numerics.
 */

export interface BlockStatsInput {
  blockIndex: number;
  seedStart: number;
  seedEnd: number;
  /** RunningStats JSON ({ n, mean, m2 }) of the per-sample metric in this block. */
  stats: unknown;
  createdAt?: Date | null;
}

export interface SurrogateObservation {
  number: number;
  params: TParams;
  value: number;
  stderr: number | null;
}

/** Most points the surrogate conditions on (and so the most its query reads). */
export const SURROGATE_MAX_POINTS = 300;
