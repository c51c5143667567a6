import { ApplicationFailure } from '@temporalio/common';
import {
  ThresholdoutBudgetExhaustedError, createThresholdout, thresholdoutBudgetRemaining, thresholdoutQuery,
  type TParams, type ThresholdoutConfig, type ThresholdoutState,
} from '@stepwise/core';
import { getStudyRow, setStrategyState, type Db } from '@stepwise/db';

/**
 * Holdout bookkeeping in a study's strategy state (one JSON column, shared with the proposer's GP
 * warm-start state): `final` holds the final numbers, `thresholdout` the guard's state and its
 * answers. Every write is a read-modify-write under the study's advisory lock, the same lock the
 * proposer takes, so neither overwrites the other's keys.
 */

/** `strategyState.final`: the best search trial re-evaluated on the holdout seeds. */
export interface FinalNumbers {
  trialNumber: number;
  params: TParams;
  holdout: { start: number; size: number };
  mean: number;
  stderr: number;
  ciLow: number;
  ciHigh: number;
  n: number;
  confidence: number;
  /** The trial's search-time estimate (its recorded value). */
  searchMean: number;
}

export interface ThresholdoutQueryRecord {
  trialNumber: number;
  /** The search-time estimate the query compared. */
  train: number;
  /** What Thresholdout answered: the search estimate, or (over threshold) the holdout mean plus noise. */
  answer: number;
  overThreshold: boolean;
}

/** `strategyState.thresholdout`. The raw holdout means are not stored: only the answers. */
export interface ThresholdoutRecord {
  state: ThresholdoutState;
  queries: ThresholdoutQueryRecord[];
  /** Total budget (over-threshold answers allowed). */
  budget: number;
  budgetRemaining: number;
  /** True once the budget is spent: the search stops consulting the holdout. */
  exhausted: boolean;
  /** New best trials that found the budget spent (not answered). */
  refused: number[];
}

export interface ThresholdoutOutcome {
  trialNumber: number;
  /** Null when refused (budget spent). */
  answer: number | null;
  overThreshold: boolean;
  refused: boolean;
  budgetRemaining: number;
}

type StrategyObject = Record<string, unknown>;

function asObject(v: unknown): StrategyObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as StrategyObject) : {};
}

function readRecord(v: unknown): ThresholdoutRecord | null {
  const o = asObject(v);
  const state = asObject(o.state);
  if (state.version !== 1 || !Array.isArray(o.queries)) return null;
  return o as unknown as ThresholdoutRecord;
}

/** Merges `final` into the strategy state (replacing an earlier `final`, keeping everything else). */
export function withFinal(current: unknown, final: FinalNumbers): StrategyObject {
  return { ...asObject(current), final };
}

/**
 * One Thresholdout query against the state stored in `current`. Idempotent per trial: a query
 * already recorded (a retried activity, a replayed workflow) is returned unchanged and `next` is
 * null (nothing to write). Noise is seeded by (config.seed, query index), so the answer is a pure
 * function of the stored state and the query.
 */
export function applyThresholdoutQuery(
  current: unknown,
  config: ThresholdoutConfig,
  query: { trialNumber: number; train: number; holdout: number },
): { outcome: ThresholdoutOutcome; next: StrategyObject | null } {
  const base = asObject(current);
  const record: ThresholdoutRecord = readRecord(base.thresholdout) ?? {
    state: createThresholdout(config),
    queries: [],
    budget: config.budget,
    budgetRemaining: config.budget,
    exhausted: false,
    refused: [],
  };
  const prior = record.queries.find((q) => q.trialNumber === query.trialNumber);
  if (prior) {
    return {
      outcome: { trialNumber: prior.trialNumber, answer: prior.answer, overThreshold: prior.overThreshold, refused: false, budgetRemaining: record.budgetRemaining },
      next: null,
    };
  }
  const refusedOutcome: ThresholdoutOutcome = { trialNumber: query.trialNumber, answer: null, overThreshold: false, refused: true, budgetRemaining: 0 };
  if (record.refused.includes(query.trialNumber)) return { outcome: refusedOutcome, next: null };
  try {
    const a = thresholdoutQuery(record.state, { train: query.train, holdout: query.holdout });
    const budgetRemaining = thresholdoutBudgetRemaining(a.state);
    const next: ThresholdoutRecord = {
      ...record,
      state: a.state,
      queries: [...record.queries, { trialNumber: query.trialNumber, train: query.train, answer: a.value, overThreshold: a.overThreshold }],
      budgetRemaining,
      exhausted: budgetRemaining <= 0,
    };
    return {
      outcome: { trialNumber: query.trialNumber, answer: a.value, overThreshold: a.overThreshold, refused: false, budgetRemaining },
      next: { ...base, thresholdout: next },
    };
  } catch (err) {
    if (!(err instanceof ThresholdoutBudgetExhaustedError)) throw err;
    const next: ThresholdoutRecord = { ...record, budgetRemaining: 0, exhausted: true, refused: [...record.refused, query.trialNumber] };
    return { outcome: refusedOutcome, next: { ...base, thresholdout: next } };
  }
}

/**
 * Read-modify-write of a study's strategy state under the study's advisory lock (the one
 * proposeTrials holds while it updates the GP state).
 */
export async function updateStrategyState<T>(
  db: Db,
  studyId: string,
  update: (current: unknown) => { result: T; next: StrategyObject | null },
): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${studyId}))`;
      const study = await getStudyRow(tx, studyId);
      if (!study) throw ApplicationFailure.nonRetryable(`study ${studyId} does not exist`, 'StudyNotFound');
      const { result, next } = update(study.strategyState);
      if (next) await setStrategyState(tx, studyId, next);
      return result;
    },
    { timeout: 120_000, maxWait: 120_000 },
  );
}
