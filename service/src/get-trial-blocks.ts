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
  /** RMSE trials: the other aggregation and the wrong-component share (absent for other metrics). */
  endpoint?: EndpointSummary | null;
}

/**
 * What the blocks' stats say beyond the mean (issue #11, item 7): the trial's value for `rmse` is
 * the mean of per-sample RMSE; `rmsePooled` is sqrt(mean over samples of MSE), which a few samples
 * ending in another mixture component than their reference dominate; `wrongComponentShare` is
 * the share of such samples (GMM testbeds). Null where some block was recorded without the sums.
 */
export interface EndpointSummary {
  n: number;
  rmsePooled: number | null;
  wrongComponentShare: number | null;
}

/** The endpoint summary of blocks' stats, or null when none carries the sums (not an rmse trial). */
export function endpointSummary(stats: readonly unknown[]): EndpointSummary | null {
  let n = 0, sumMse = 0, wrong = 0, withMse = 0, withWrong = 0;
  for (const s of stats) {
    const b = s as { n?: unknown; sumMse?: unknown; wrongComponent?: unknown } | null;
    n += typeof b?.n === 'number' ? b.n : 0;
    if (typeof b?.sumMse === 'number' && Number.isFinite(b.sumMse)) {
      sumMse += b.sumMse;
      withMse++;
    }
    if (typeof b?.wrongComponent === 'number') {
      wrong += b.wrongComponent;
      withWrong++;
    }
  }
  if (withMse === 0 || n === 0) return null;
  return {
    n,
    rmsePooled: withMse === stats.length ? Math.sqrt(sumMse / n) : null,
    wrongComponentShare: withWrong === stats.length ? wrong / n : null,
  };
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
      endpoint: endpointSummary(found.blocks.map((b) => b.stats)),
    };
  };
}
