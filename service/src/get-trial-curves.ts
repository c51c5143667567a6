import type { CurvePoint } from '@stepwise/core';
import { studyCurves } from '@stepwise/db';
import type { ServiceDeps } from './context';
import { studyOrThrow } from './lookups';
import type { TrialStatus } from './service-types';

export interface TrialCurvesInput {
  studyId: string;
  /** Just this trial's curve (the trial drawer); omitted: every trial's, up to `maxTrials`. */
  number?: number;
  /** Points per curve; longer curves are thinned evenly (first and last step kept). */
  maxPoints: number;
  /** Curves returned, lowest trial numbers first. */
  maxTrials: number;
}

export interface TrialCurve {
  number: number;
  status: TrialStatus;
  points: CurvePoint[];
  /** Points the trial reported (before thinning). */
  reported: number;
}

export interface TrialCurves {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  curves: TrialCurve[];
  /** True when the study has curves beyond `maxTrials`. */
  truncated: boolean;
}

/**
 * Learning curves (intermediate values per step) of a study's trials: the dashboard's curves
 * panel and the trial drawer. One query; the thinning happens in Postgres, so a study of long
 * runs ships at most maxTrials * maxPoints points.
 */
export function getTrialCurves({ db }: Pick<ServiceDeps, 'db'>) {
  return async ({ studyId, number, maxPoints, maxTrials }: TrialCurvesInput): Promise<TrialCurves> => {
    const row = await studyOrThrow({ db }, studyId);
    const curves = await studyCurves(db, studyId, { maxPoints, maxTrials: maxTrials + 1, number });
    return {
      studyId,
      metric: row.metric,
      direction: row.direction as 'minimize' | 'maximize',
      curves: curves.slice(0, maxTrials).map((c) => ({ ...c, status: c.status as TrialStatus })),
      truncated: curves.length > maxTrials,
    };
  };
}
