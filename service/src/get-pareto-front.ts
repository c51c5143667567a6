import {
  hypervolumeCurve, hypervolumeReference, isMultiObjective, sampleEvenly, studyObjectives,
  type HypervolumePoint, type HypervolumeReference, type TParams, type TStudyConfig,
} from '@stepwise/core';
import { objectiveValuesInCompletionOrder, paretoFrontRows } from '@stepwise/db';
import type { ServiceDeps } from './context';
import { studyOrThrow } from './lookups';
import { ValidationError } from './service-types';

export interface ParetoFrontInput {
  studyId: string;
  /** Most non-front trials returned for the scatter (evenly thinned); the front is always whole. */
  limit: number;
  /** Most points of the hypervolume curve. */
  curvePoints: number;
}

export interface ParetoFrontView {
  studyId: string;
  objectives: Array<{ metric: string; direction: 'minimize' | 'maximize' }>;
  /** The stored front (trial.on_front), by trial number. */
  front: Array<{ number: number; params: TParams; values: number[] }>;
  /** Completed trials off the front, for the scatter: evenly thinned past `limit`. */
  others: Array<{ number: number; values: number[] }>;
  /** Completed trials with values in the study. */
  completed: number;
  sampled: boolean;
  reference: HypervolumeReference;
  hypervolume: number;
  /** Hypervolume of the front after each completed trial (completion order), thinned. */
  curve: HypervolumePoint[];
}

/**
 * A multi-objective study's Pareto front with the hypervolume it dominates and how that grew
 * over the trials. The front comes from the stored flags; the curve from every completed trial's
 * values (two floats a trial; thinned before it leaves the server). ValidationError for a study
 * with one objective.
 */
export function getParetoFront({ db }: ServiceDeps) {
  return async ({ studyId, limit, curvePoints }: ParetoFrontInput): Promise<ParetoFrontView> => {
    const row = await studyOrThrow({ db }, studyId);
    const config = row.config as unknown as TStudyConfig;
    if (!isMultiObjective(config)) {
      throw new ValidationError([{ field: 'studyId', message: `study ${row.id} optimises one objective; the Pareto front is for studies with "objectives" (two or more)` }]);
    }
    const objectives = studyObjectives(config);
    const directions = objectives.map((o) => o.direction);
    const [front, rows] = await Promise.all([paretoFrontRows(db, row.id), objectiveValuesInCompletionOrder(db, row.id)]);
    const reference = hypervolumeReference(config.objective, objectives, rows.map((r) => r.values));
    const curve = hypervolumeCurve(rows, directions, reference.point, curvePoints);
    const onFront = new Set(front.map((f) => f.number));
    const off = rows.filter((r) => !onFront.has(r.number)).sort((a, b) => a.number - b.number);
    const others = sampleEvenly(off, limit);
    return {
      studyId: row.id,
      objectives,
      front,
      others,
      completed: rows.length,
      sampled: others.length < off.length,
      reference,
      hypervolume: curve.length ? curve[curve.length - 1].hypervolume : 0,
      curve,
    };
  };
}

