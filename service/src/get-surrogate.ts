import {
  emptySurrogateSlice, fitSurrogate, surrogateAxisIssues, surrogateSlice, surrogateWaitingMessage,
  type SurrogateAxisOut, type SurrogateFit, type SurrogateSliceOut, type TSpace,
} from '@stepwise/core';
import type { StudyRow } from '@stepwise/db';
import { findTrialRowByNumber, surrogateObservationRows } from '@stepwise/db/insights';
import { ValidationError, type TrialRow } from './service-types';
import type { ServiceDeps } from './context';
import { spaceOf, studyOrThrow } from './lookups';

/** One axis of a surrogate slice: the parameter's range and the grid coordinates along it. */
export type SurrogateAxis = SurrogateAxisOut;

export interface SurrogateInput {
  studyId: string;
  /** Names of two distinct float/int parameters. */
  x: string;
  y: string;
  resolution: number;
}

/** GP posterior on a 2-D slice of the search space, the other parameters at the best trial's values. */
export interface SurrogateResult extends SurrogateSliceOut {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  resolution: number;
  trialsUsed: number;
  trialsCompleted: number;
  bestTrialNumber: number | null;
  /** Why there is no surface yet (too few completed trials), else null. */
  message: string | null;
}

/** GP surrogate slice; ValidationError naming "x" / "y" for unknown or categorical parameters. */
export function getSurrogate({ db }: ServiceDeps) {
  // Fitted surrogates by study and progress: switching the plotted pair costs a prediction only.
  const surrogates = new Map<string, SurrogateFit | null>();
  async function surrogateFor(row: StudyRow, space: TSpace): Promise<{ fit: SurrogateFit | null; completed: number }> {
    const key = `${row.id}:${row.trialsCompleted}:${row.bestTrialNumber}`;
    if (surrogates.has(key)) return { fit: surrogates.get(key) ?? null, completed: row.trialsCompleted };
    const direction = row.direction as 'minimize' | 'maximize';
    const { observations, completed } = await surrogateObservationRows(db, row.id, direction);
    const fit = fitSurrogate(space, observations, direction, { state: row.strategyState, seed: (row.config as { seed?: number }).seed ?? 0 });
    surrogates.set(key, fit);
    while (surrogates.size > 16) surrogates.delete(surrogates.keys().next().value as string);
    return { fit, completed };
  }

  return async ({ studyId, x, y, resolution }: SurrogateInput): Promise<SurrogateResult> => {
    const row = await studyOrThrow({ db }, studyId);
    const space = spaceOf(row);
    const issues = surrogateAxisIssues(space, x, y);
    if (issues.length) throw new ValidationError(issues);
    const { fit, completed } = await surrogateFor(row, space);
    const base = { studyId, metric: row.metric, direction: row.direction as 'minimize' | 'maximize', resolution, trialsCompleted: completed, bestTrialNumber: row.bestTrialNumber };
    if (!fit) return { ...base, ...emptySurrogateSlice(space, x, y, resolution), trialsUsed: 0, message: surrogateWaitingMessage(completed) };
    const best = row.bestTrialNumber === null ? null : await findTrialRowByNumber(db, studyId, row.bestTrialNumber);
    const slice = surrogateSlice(fit, x, y, (best?.params as TrialRow['params'] | undefined) ?? null, resolution);
    return { ...base, ...slice, trialsUsed: fit.used.length, message: null };
  };
}
