import { parallelAxes, type TParams } from '@stepwise/core';
import { evenlySpacedCompleted } from '@stepwise/db/insights';
import type { ServiceDeps } from './context';
import type { ParallelData } from './get-parallel-coordinates';
import { spaceOf, studyOrThrow } from './lookups';

export interface TrialPointsInput {
  studyId: string;
  /** Most trials returned; more are thinned evenly by trial number. */
  limit: number;
}

/** A completed trial as the insight views plot it: its params, value and the value's 95% interval. */
export interface TrialPoint {
  number: number;
  params: TParams;
  value: number;
  /** Null when the value is not an estimate (a single draw of a function). */
  ciLow: number | null;
  ciHigh: number | null;
}

export interface TrialPoints extends Omit<ParallelData, 'rows'> {
  rows: TrialPoint[];
}

/**
 * Up to `limit` completed trials with their intervals, evenly thinned by trial number (the
 * dashboard's slice, contour, importance, EDF and filter views, and the optimization history's
 * error bars for estimated metrics): what getParallelCoordinates returns plus each value's CI.
 * One query; the thinning happens in Postgres, so a 10k-trial study ships `limit` rows.
 */
export function getTrialPoints({ db }: Pick<ServiceDeps, 'db'>) {
  return async ({ studyId, limit }: TrialPointsInput): Promise<TrialPoints> => {
    const row = await studyOrThrow({ db }, studyId);
    // The same thinning as the parallel coordinates (one query in @stepwise/db/insights).
    const rows = await evenlySpacedCompleted(db, studyId, limit);
    const total = rows.length > 0 ? Number(rows[0].total) : 0;
    return {
      studyId,
      metric: row.metric,
      direction: row.direction as 'minimize' | 'maximize',
      axes: parallelAxes(spaceOf(row)),
      rows: rows.map((r) => ({ number: r.number, params: r.params as TParams, value: r.value!, ciLow: r.ci_low, ciHigh: r.ci_high })), // the query keeps only non-null values
      total,
      sampled: total > rows.length,
    };
  };
}
