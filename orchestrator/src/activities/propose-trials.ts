import { ApplicationFailure } from '@temporalio/common';
import {
  effectiveSpace, isMultiObjective, multiObjectiveAcquisition, proposeBatch, proposeMultiObjective, prunedObservationValue, studyDirections, ZStudyConfig, type BoState, type NewTrial, type TParams,
} from '@stepwise/core';
import {
  getStudyRow, getTrialsByNumber, insertTrials, multiObjectiveHistory, prunedTrialBests, setStrategyState, trialHistory, trialRowCount, type Db, type DbOrTx,
} from '@stepwise/db';

/**
 * Proposes trials `numbers` for an adaptive study and records them before returning, so a crash
 * after this activity neither loses nor repeats a proposal: a retry finds the rows already there
 * and returns them unchanged. Pending trials are given to the optimizer so parallel slots never
 * receive a duplicate point.
 *
 * No lock and no transaction is held while the optimizer computes (a GP fit takes from tens of
 * milliseconds to seconds). Concurrency is optimistic instead: the inputs are read together with
 * the study's trial-row count, and the proposals are committed only if that count is unchanged,
 * in a short transaction that serializes commits (a per-study advisory lock held for the
 * duration of two writes). A proposer that lost the race, i.e. another slot's proposals were
 * recorded since it read its pending set, computes again with them as pending. Some commit
 * always succeeds, so concurrent proposers make progress; results recorded meanwhile do not
 * invalidate a proposal (it is simply made on slightly older data, as in any asynchronous BO).
 */
export interface ProposeOptions {
  /** Rounds (read, compute, try to commit) before giving up with a retryable failure. */
  maxRounds?: number;
  heartbeat?: () => void;
  /** Called between computing and committing each round (tests use it to force a conflict). */
  beforeCommit?: (round: number) => Promise<void>;
}

export async function proposeTrials(db: Db, studyId: string, numbers: number[], opts: ProposeOptions = {}): Promise<NewTrial[]> {
  const maxRounds = opts.maxRounds ?? 16;
  for (let round = 0; round < maxRounds; round++) {
    opts.heartbeat?.();
    const existing = await getTrialsByNumber(db, studyId, numbers);
    const have = new Set(existing.map((t) => t.number));
    const missing = numbers.filter((n) => !have.has(n)).sort((a, b) => a - b);
    if (missing.length === 0) return existing;

    const snapshot = await readInputs(db, studyId);
    const proposed = computeProposals(snapshot, missing);
    opts.heartbeat?.();
    await opts.beforeCommit?.(round);
    if (await commitIfUnchanged(db, studyId, snapshot.rowCount, proposed)) {
      // Re-read: these rows (ours, or a retried attempt's that committed first) are the ones that count.
      return getTrialsByNumber(db, studyId, numbers);
    }
  }
  // Retryable: every round lost to another proposer of the same study; Temporal retries later.
  throw ApplicationFailure.retryable(`study ${studyId}: proposals conflicted ${maxRounds} times in a row with concurrent proposers`, 'ProposalConflict');
}

interface ProposalInputs {
  rowCount: number;
  config: ReturnType<typeof ZStudyConfig.parse>;
  strategyState: unknown;
  history: Awaited<ReturnType<typeof trialHistory>>;
  /** Multi-objective studies: finished trials with every objective's value (null otherwise). */
  moHistory: Awaited<ReturnType<typeof multiObjectiveHistory>> | null;
  /** Trials the study's pruner stopped, with the best intermediate value each reported. */
  pruned: Awaited<ReturnType<typeof prunedTrialBests>>;
}

async function readInputs(db: DbOrTx, studyId: string): Promise<ProposalInputs> {
  // The count first: a row inserted after it makes the commit's check fail, never pass wrongly.
  const rowCount = await trialRowCount(db, studyId);
  const study = await getStudyRow(db, studyId);
  if (!study) throw ApplicationFailure.nonRetryable(`study ${studyId} does not exist`, 'StudyNotFound');
  const config = ZStudyConfig.parse(study.config);
  const history = await trialHistory(db, studyId);
  const moHistory = isMultiObjective(config) ? await multiObjectiveHistory(db, studyId) : null;
  // Only studies with a pruner have pruned trials (one more query for those alone).
  const pruned = config.pruner ? await prunedTrialBests(db, studyId, config.objective.direction) : [];
  return { rowCount, config, strategyState: study.strategyState, history, moHistory, pruned };
}

/**
 * Pruned trials enter the surrogate as observations (so their region is learnt and not proposed
 * again) with their best intermediate value, but never better than the median final value of the
 * completed trials: they were stopped for looking worse than their peers at the same step, and an
 * early value says little about where the run would have ended (core prunedObservationValue).
 */
export function prunedObservations(direction: 'minimize' | 'maximize', history: ProposalInputs['history'], pruned: ProposalInputs['pruned']): Array<{ params: TParams; value: number }> {
  if (pruned.length === 0) return [];
  const finals = history.completed.flatMap((t) => (t.value !== null && Number.isFinite(t.value) ? [t.value] : []));
  return pruned.flatMap((t) => {
    const value = prunedObservationValue(direction, { number: t.number, status: 'pruned', curve: [{ step: 0, value: t.best }] }, finals);
    return value === null ? [] : [{ params: t.params as TParams, value }];
  });
}

function computeProposals({ config, history, strategyState, moHistory, pruned }: ProposalInputs, missing: number[]): { trials: NewTrial[]; state: Record<string, unknown> } {
  const settings = config.bayesopt ?? { method: 'gp-logei' as const, initialDesign: 10 };
  if (moHistory) {
    // Several objectives: EHVI or ParEGO (core/src/bo/propose-multi.ts), keyed by trial number.
    const result = proposeMultiObjective({
      acquisition: multiObjectiveAcquisition(config),
      space: effectiveSpace(config),
      finished: moHistory.finished,
      pending: moHistory.pending.map((t) => t.params),
      directions: studyDirections(config),
      numbers: missing,
      seed: config.seed,
      method: settings.method,
      initialDesign: settings.initialDesign,
      state: (strategyState as BoState | null) ?? undefined,
    });
    return asProposed(result, missing, moHistory.finished.length, moHistory.pending.length);
  }
  const knownNoiseVar = config.objective.type === 'function' && config.objective.noiseStd > 0 ? config.objective.noiseStd ** 2 : undefined;
  const result = proposeBatch({
    space: effectiveSpace(config),
    observations: history.completed.map((t) => ({
      params: t.params,
      value: t.value ?? Number.NaN, // failed trials: never proposed again, left out of the model
      noiseVar: t.stderr !== null ? t.stderr ** 2 : knownNoiseVar,
    })).concat(prunedObservations(config.objective.direction, history, pruned).map((o) => ({ ...o, noiseVar: knownNoiseVar }))),
    pending: history.pending.map((t) => t.params),
    count: missing.length,
    numbers: missing,
    direction: config.objective.direction,
    seed: config.seed,
    method: settings.method,
    initialDesign: settings.initialDesign,
    state: (strategyState as BoState | null) ?? undefined,
  });
  return asProposed(result, missing, history.completed.length, history.pending.length);
}

/** Proposals as recorded trials: each with its reason and how much the model saw. */
function asProposed(
  result: { proposals: Array<{ params: TParams; reason: object }>; state: unknown },
  numbers: number[], observations: number, pending: number,
) {
  const trials = result.proposals.map((p, i) => ({ number: numbers[i], params: p.params, proposal: { ...p.reason, observations, pending } }));
  return { trials, state: result.state as Record<string, unknown> };
}

async function commitIfUnchanged(db: Db, studyId: string, rowCount: number, proposed: { trials: NewTrial[]; state: Record<string, unknown> }): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${studyId}))`;
      if ((await trialRowCount(tx, studyId)) !== rowCount) return false;
      // Merge: other keys of the strategy state (holdout `final`, `thresholdout`) are not the proposer's.
      const row = await getStudyRow(tx, studyId);
      const kept = row?.strategyState !== null && typeof row?.strategyState === 'object' && !Array.isArray(row.strategyState) ? row.strategyState : {};
      await setStrategyState(tx, studyId, { ...kept, ...proposed.state });
      await insertTrials(tx, studyId, proposed.trials);
      return true;
    },
    { timeout: 10_000, maxWait: 10_000 },
  );
}
