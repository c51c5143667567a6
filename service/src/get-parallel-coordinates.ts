import { parallelAxes } from '@stepwise/core';
import { parallelRows } from '@stepwise/db/insights';
import type { TParams } from '@stepwise/core';
import type { ServiceDeps } from './context';
import { spaceOf, studyOrThrow } from './lookups';

export interface ParallelCoordinatesInput {
  studyId: string;
  limit: number;
}

export interface ParallelAxis {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: number | null;
  high: number | null;
  log: boolean;
  choices: Array<string | number | boolean | Record<string, unknown>> | null;
}

export interface ParallelData {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  axes: ParallelAxis[];
  /** Completed trials, evenly thinned by trial number when there are more than the limit. */
  rows: Array<{ number: number; params: TParams; value: number }>;
  /** Completed trials with a value in the study. */
  total: number;
  sampled: boolean;
}

/** Up to `limit` completed trials' params and values, with the axes of the study's space. */
export function getParallelCoordinates({ db }: ServiceDeps) {
  return async ({ studyId, limit }: ParallelCoordinatesInput): Promise<ParallelData> => {
    const row = await studyOrThrow({ db }, studyId);
    const { rows, total } = await parallelRows(db, studyId, limit);
    return {
      studyId,
      metric: row.metric,
      direction: row.direction as 'minimize' | 'maximize',
      axes: parallelAxes(spaceOf(row)),
      rows,
      total,
      sampled: total > rows.length,
    };
  };
}
