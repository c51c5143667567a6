import { ApplicationFailure } from '@temporalio/common';
import { effectiveSpace, proposeBatch, ZStudyConfig, type BoState } from '@stepwise/core';
import { getStudyRow, getTrialsByNumber, insertTrials, setStrategyState, trialHistory, type Db, type DbOrTx, type NewTrial } from '@stepwise/db';

/**
 * Proposes trials `numbers` for an adaptive study and records them before returning, so a crash
 * after this activity neither loses nor repeats a proposal: a retry finds the rows already there
 * and returns them unchanged. Pending trials are given to the optimizer so parallel workers never
 * receive a duplicate point.
 */
export async function proposeTrials(db: Db, studyId: string, numbers: number[]): Promise<NewTrial[]> {
  // One proposer per study at a time (concurrent slots, retried activities): each sees the
  // points the previous one recorded as pending, so no two proposals coincide.
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${studyId}))`;
      return proposeLocked(tx, studyId, numbers);
    },
    { timeout: 120_000, maxWait: 120_000 },
  );
}

async function proposeLocked(db: DbOrTx, studyId: string, numbers: number[]): Promise<NewTrial[]> {
  const existing = await getTrialsByNumber(db, studyId, numbers);
  const have = new Set(existing.map((t) => t.number));
  const missing = numbers.filter((n) => !have.has(n)).sort((a, b) => a - b);
  if (missing.length === 0) return existing;

  const study = await getStudyRow(db, studyId);
  if (!study) throw ApplicationFailure.nonRetryable(`study ${studyId} does not exist`, 'StudyNotFound');
  const config = ZStudyConfig.parse(study.config);
  const settings = config.bayesopt ?? { method: 'gp-logei' as const, initialDesign: 10 };
  const history = await trialHistory(db, studyId);
  const knownNoiseVar = config.objective.type === 'function' && config.objective.noiseStd > 0 ? config.objective.noiseStd ** 2 : undefined;
  const result = proposeBatch({
    space: effectiveSpace(config),
    observations: history.completed.map((t) => ({
      params: t.params,
      value: t.value ?? Number.NaN, // failed trials: never proposed again, left out of the model
      noiseVar: t.stderr !== null ? t.stderr ** 2 : knownNoiseVar,
    })),
    pending: history.pending.map((t) => t.params),
    count: missing.length,
    numbers: missing,
    direction: config.objective.direction,
    seed: config.seed,
    method: settings.method,
    initialDesign: settings.initialDesign,
    state: (study.strategyState as BoState | null) ?? undefined,
  });
  const trials: NewTrial[] = result.proposals.map((p, i) => ({
    number: missing[i],
    params: p.params,
    proposal: { ...p.reason, observations: history.completed.length, pending: history.pending.length },
  }));
  // Merge: other keys of the strategy state (holdout `final`, `thresholdout`) are not the proposer's.
  const kept = study.strategyState !== null && typeof study.strategyState === 'object' && !Array.isArray(study.strategyState) ? study.strategyState : {};
  await setStrategyState(db, studyId, { ...kept, ...result.state });
  await insertTrials(db, studyId, trials);
  // Re-read: a concurrent retry may have inserted first, and its rows are the ones that count.
  return getTrialsByNumber(db, studyId, numbers);
}
