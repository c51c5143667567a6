import { mergeBlockSequence, type BlockSeriesPoint } from '@stepwise/core';
import { trialBlockSource } from '@stepwise/db/insights';
import { NotFoundError, type TrialStatus } from './service-types';
import type { ServiceDeps } from './context';
import { isUuid } from './lookups';

/** One seed block of a trial's Monte Carlo estimate and the merged estimate after it. */
export type TrialBlockPoint = BlockSeriesPoint;

export interface TrialBlocksInput {
  trialId: string;
}

export interface TrialBlocks {
  trialId: string;
  studyId: string;
  number: number;
  status: TrialStatus;
  /** Confidence level of the intervals (the objective's estimation.confidence, else 0.95). */
  confidence: number;
  /** The trial's recorded estimate (null until it finishes). */
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  blocks: TrialBlockPoint[];
}

/** Confidence of a study's intervals: the sampler's estimation settings, else 95%. */
export function studyConfidence(config: unknown): number {
  const est = (config as { objective?: { estimation?: { confidence?: unknown } } } | null)?.objective?.estimation;
  const c = est?.confidence;
  return typeof c === 'number' && c > 0 && c < 1 ? c : 0.95;
}

/** A trial's seed blocks in order with the running merged estimate; NotFoundError for an unknown trial. */
export function getTrialBlocks({ db }: ServiceDeps) {
  return async ({ trialId }: TrialBlocksInput): Promise<TrialBlocks> => {
    const found = isUuid(trialId) ? await trialBlockSource(db, trialId) : null;
    if (!found) throw new NotFoundError('trial', trialId);
    const confidence = studyConfidence(found.config);
    const { trial } = found;
    return {
      trialId: trial.id,
      studyId: trial.studyId,
      number: trial.number,
      status: trial.status,
      confidence,
      value: trial.value,
      ciLow: trial.ciLow,
      ciHigh: trial.ciHigh,
      n: trial.n,
      blocks: mergeBlockSequence(found.blocks, confidence),
    };
  };
}
