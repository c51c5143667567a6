import type { TStudyConfig } from '@stepwise/core';
import { bestSoFar, countRunningTrials, getStudyRow } from '@stepwise/db';
import { findTrialRowByNumber } from '@stepwise/db/insights';
import { NotFoundError, type StudyDetail } from './service-types';
import type { ServiceContext } from './context';
import { isLive, withHealth } from './health';
import { toSummary, toTrialRow } from './rows';

/**
 * The strategy state as the API shows it: Thresholdout's noisy threshold stays server-side, since
 * anyone who could read it would weaken the holdout's guarantee.
 */
function publicStrategyState(state: unknown): unknown {
  if (!state || typeof state !== 'object') return state ?? null;
  const s = state as Record<string, unknown>;
  if (!s.thresholdout || typeof s.thresholdout !== 'object') return s;
  const { state: _secret, ...thresholdout } = s.thresholdout as Record<string, unknown>;
  return { ...s, thresholdout };
}

/** One study in full: config, best-so-far curve, best trial, public strategy state and workflow health. */
export function getStudy({ db, healthCache }: ServiceContext) {
  return async (id: string): Promise<StudyDetail> => {
    const row = await getStudyRow(db, id);
    if (!row) throw new NotFoundError('study', id);
    const [running, curve, health] = await Promise.all([
      countRunningTrials(db, [id]),
      bestSoFar(db, id, row.direction as 'minimize' | 'maximize'),
      isLive(row) && row.workflowId ? healthCache.one(row.workflowId) : undefined,
    ]);
    const best = row.bestTrialNumber === null ? null : await findTrialRowByNumber(db, id, row.bestTrialNumber);
    const detail: StudyDetail = {
      ...withHealth(toSummary(row, running.get(id) ?? 0), row, health),
      config: row.config as unknown as TStudyConfig,
      workflowId: row.workflowId,
      bestSoFar: curve,
      bestTrial: best ? toTrialRow(best) : null,
      strategy: publicStrategyState(row.strategyState),
    };
    return detail;
  };
}
