import type { TParams, TrialResult } from '@stepwise/core';
import type { Db, DbOrTx } from './client';
import { recordTrialResults } from './trials';

/**
 * Multi-objective studies: every objective's value per trial (`objective_values`, in the config's
 * `objectives` order) and the Pareto front of the completed trials (`on_front`).
 *
 * The front is maintained incrementally, in the same transaction as the results it follows from:
 * a new completed trial is on the front unless a trial already on it, or another trial of the
 * same write, dominates it; a front trial that a new one dominates leaves the front. That compares
 * the write's trials with the current front only (read through the (study, on_front) index), so
 * a write costs the same at ten or at ten thousand trials. Writes of one study are serialized by
 * an advisory lock, so two slots finishing at once cannot both miss each other's trial.
 */

type Direction = 'minimize' | 'maximize';

/**
 * Records results like recordTrialResults (which it calls: counters, best value of the primary
 * objective) and, for the completed ones with all their values, the values and the front, in one
 * transaction. Idempotent: a trial's values are written once (when it finishes), so a retried
 * activity neither rewrites them nor moves the front.
 */
export async function recordMultiObjectiveResults(db: Db, studyId: string, directions: readonly Direction[], results: TrialResult[]): Promise<number> {
  if (results.length === 0) return 0;
  const m = directions.length;
  const scored = results.filter((r) => r.status === 'completed' && Array.isArray(r.values) && r.values.length === m && r.values.every(Number.isFinite));
  const numbers = scored.map((r) => r.number);
  const flat = scored.flatMap((r) => r.values as number[]);
  const signs = directions.map((d) => (d === 'maximize' ? -1 : 1));
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${studyId}))`;
      const updated = await recordTrialResults(tx, studyId, directions[0], results);
      if (numbers.length === 0) return updated;
      // dominates(a, b), minimisation after multiplying by the direction signs: no worse anywhere, better somewhere.
      await tx.$executeRaw`
        WITH input AS (
          SELECT r.number, (${flat}::float8[])[((r.ord - 1) * ${m}::int + 1)::int : (r.ord * ${m}::int)::int] AS vals
          FROM unnest(${numbers}::int[]) WITH ORDINALITY AS r(number, ord)
        ), cand AS (
          SELECT t.id, i.vals FROM trial t JOIN input i ON t.number = i.number
          WHERE t.study_id = ${studyId}::uuid AND t.status = 'completed' AND cardinality(t.objective_values) = 0
        ), front AS (
          SELECT id, objective_values AS vals FROM trial WHERE study_id = ${studyId}::uuid AND on_front
        ), fresh AS (
          UPDATE trial t
          SET objective_values = c.vals,
              on_front = NOT EXISTS (
                SELECT 1 FROM (SELECT vals FROM front UNION ALL SELECT vals FROM cand WHERE cand.id <> c.id) o
                WHERE (SELECT bool_and(x * s <= y * s) AND bool_or(x * s < y * s) FROM unnest(o.vals, c.vals, ${signs}::float8[]) AS u(x, y, s))
              )
          FROM cand c
          WHERE t.id = c.id
          RETURNING t.id
        )
        UPDATE trial t SET on_front = false
        FROM front f
        WHERE t.id = f.id AND EXISTS (
          SELECT 1 FROM cand c
          WHERE (SELECT bool_and(x * s <= y * s) AND bool_or(x * s < y * s) FROM unnest(c.vals, f.vals, ${signs}::float8[]) AS u(x, y, s))
        )`;
      return updated;
    },
    { timeout: 20_000, maxWait: 20_000 },
  );
}

export interface FrontTrialRow {
  number: number;
  params: TParams;
  values: number[];
}

/** The stored Pareto front, by trial number. */
export async function paretoFrontRows(db: DbOrTx, studyId: string): Promise<FrontTrialRow[]> {
  const rows = await db.trial.findMany({
    where: { studyId, onFront: true },
    orderBy: { number: 'asc' },
    select: { number: true, params: true, objectiveValues: true },
  });
  return rows.map((r) => ({ number: r.number, params: r.params as TParams, values: r.objectiveValues }));
}

/** Every completed trial's objective values in completion order (the hypervolume curve's input). */
export async function objectiveValuesInCompletionOrder(db: DbOrTx, studyId: string): Promise<Array<{ number: number; values: number[] }>> {
  const rows = await db.trial.findMany({
    where: { studyId, status: 'completed', NOT: { objectiveValues: { isEmpty: true } } },
    orderBy: [{ finishedAt: 'asc' }, { number: 'asc' }],
    select: { number: true, objectiveValues: true },
  });
  return rows.map((r) => ({ number: r.number, values: r.objectiveValues }));
}

/**
 * What a multi-objective proposer learns from: finished trials with their objective values
 * (failed ones with none: never proposed again, left out of the model) and the pending points.
 */
export async function multiObjectiveHistory(db: DbOrTx, studyId: string): Promise<{
  finished: Array<{ number: number; params: TParams; values: number[] | null }>;
  pending: Array<{ number: number; params: TParams }>;
}> {
  const rows = await db.trial.findMany({
    where: { studyId, status: { in: ['completed', 'failed', 'running', 'pending'] } },
    select: { number: true, params: true, objectiveValues: true, status: true },
    orderBy: { number: 'asc' },
  });
  return {
    finished: rows
      .filter((r) => r.status === 'completed' || r.status === 'failed')
      .map((r) => ({ number: r.number, params: r.params as TParams, values: r.status === 'completed' && r.objectiveValues.length > 0 ? r.objectiveValues : null })),
    pending: rows.filter((r) => r.status === 'running' || r.status === 'pending').map((r) => ({ number: r.number, params: r.params as TParams })),
  };
}
