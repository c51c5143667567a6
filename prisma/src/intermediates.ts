import type { Db, DbOrTx } from './client';

/** One intermediate value (core's CurvePoint, restated: this package takes only shapes from core's config and contracts). */
export interface IntermediatePoint {
  step: number;
  value: number;
}

/**
 * Intermediate values of trials (learning curves): what a command program printed per step.
 * Written by an orchestration activity that Temporal may retry, and re-reported from step 0 by a
 * retried compute activity, so every write is an upsert on (trial, step): the curve ends up with
 * one value per step whatever was repeated. The pruners' per-step reads use (study_id, step).
 */

/** Upserts points of trial `number` (the latest report of a step wins); returns how many were written. */
export async function recordIntermediateValues(db: Db, studyId: string, number: number, points: readonly IntermediatePoint[]): Promise<number> {
  const usable = points.filter((p) => Number.isSafeInteger(p.step) && p.step >= 0 && Number.isFinite(p.value));
  if (usable.length === 0) return 0;
  return db.$executeRaw`
    INSERT INTO trial_intermediate (trial_id, study_id, step, value)
    SELECT t.id, t.study_id, r.step, r.value
    FROM trial t CROSS JOIN unnest(${usable.map((p) => p.step)}::int[], ${usable.map((p) => p.value)}::float8[]) AS r(step, value)
    WHERE t.study_id = ${studyId}::uuid AND t.number = ${number}
    ON CONFLICT (trial_id, step) DO UPDATE SET value = EXCLUDED.value`;
}

/** Removes trial `number`'s values after `step` (a pruned run's curve ends where it was stopped). */
export async function deleteIntermediateValuesAfter(db: Db, studyId: string, number: number, step: number): Promise<number> {
  const { count } = await db.trialIntermediate.deleteMany({ where: { studyId, step: { gt: step }, trial: { number } } });
  return count;
}

/** One trial's curve, steps ascending. */
export async function trialCurve(db: DbOrTx, studyId: string, number: number): Promise<IntermediatePoint[]> {
  const rows = await db.trialIntermediate.findMany({
    where: { studyId, trial: { number } },
    orderBy: { step: 'asc' },
    select: { step: true, value: true },
  });
  return rows;
}

export interface PeerValue {
  number: number;
  status: string;
  step: number;
  value: number;
}

/** Every other trial's value at exactly `step` (the median pruner). */
export async function peerValuesAt(db: DbOrTx, studyId: string, step: number, exceptNumber: number): Promise<PeerValue[]> {
  const rows = await db.trialIntermediate.findMany({
    where: { studyId, step, trial: { number: { not: exceptNumber } } },
    select: { step: true, value: true, trial: { select: { number: true, status: true } } },
  });
  return rows.map((r) => ({ number: r.trial.number, status: r.trial.status, step: r.step, value: r.value }));
}

/**
 * Every other trial's value at the first step it reported at or after `step` (a successive-halving
 * rung): one row per trial, from the (study_id, step) index.
 */
export async function peerValuesReaching(db: Db, studyId: string, step: number, exceptNumber: number): Promise<PeerValue[]> {
  const rows = await db.$queryRaw<Array<{ number: number; status: string; step: number; value: number }>>`
    SELECT DISTINCT ON (i.trial_id) t.number, t.status::text AS status, i.step, i.value
    FROM trial_intermediate i JOIN trial t ON t.id = i.trial_id
    WHERE i.study_id = ${studyId}::uuid AND i.step >= ${step} AND t.number <> ${exceptNumber}
    ORDER BY i.trial_id, i.step`;
  return rows;
}

export interface TrialCurve {
  number: number;
  status: string;
  /** Steps ascending, thinned to about `maxPoints` (at most maxPoints + 1: the first and last are always kept). */
  points: IntermediatePoint[];
  /** Points the trial reported, before thinning. */
  reported: number;
}

/**
 * Learning curves of a study's trials for the dashboard, thinned in Postgres to at most
 * `maxPoints` evenly spaced points per trial (plus the last, always kept), for at most
 * `maxTrials` trials (the lowest numbers first, or just `number`).
 */
export async function studyCurves(db: Db, studyId: string, opts: { maxPoints: number; maxTrials: number; number?: number }): Promise<TrialCurve[]> {
  const only = opts.number ?? null;
  const rows = await db.$queryRaw<Array<{ number: number; status: string; step: number; value: number; total: bigint }>>`
    WITH chosen AS (
      SELECT t.id, t.number, t.status::text AS status FROM trial t
      WHERE t.study_id = ${studyId}::uuid AND (${only}::int IS NULL OR t.number = ${only}::int)
        AND EXISTS (SELECT 1 FROM trial_intermediate i WHERE i.trial_id = t.id)
      ORDER BY t.number LIMIT ${opts.maxTrials}
    ), ranked AS (
      SELECT c.number, c.status, i.step, i.value,
             row_number() OVER (PARTITION BY i.trial_id ORDER BY i.step) AS rn,
             count(*) OVER (PARTITION BY i.trial_id) AS total
      FROM chosen c JOIN trial_intermediate i ON i.trial_id = c.id
    )
    SELECT number, status, step, value, total FROM ranked
    WHERE rn = 1 OR rn = total OR (rn - 1) % greatest(1, ceil(total::float8 / ${opts.maxPoints})::int) = 0
    ORDER BY number, step`;
  const curves: TrialCurve[] = [];
  for (const r of rows) {
    let last = curves.at(-1);
    if (!last || last.number !== r.number) {
      last = { number: r.number, status: r.status, points: [], reported: Number(r.total) };
      curves.push(last);
    }
    last.points.push({ step: r.step, value: r.value });
  }
  return curves;
}

/**
 * Pruned trials of a study with the best intermediate value each reported (what BO learns from a
 * run it stopped early); a pruned trial with no finite value is left out.
 */
export async function prunedTrialBests(db: DbOrTx, studyId: string, direction: 'minimize' | 'maximize'): Promise<Array<{ number: number; params: unknown; best: number }>> {
  const rows = await db.trial.findMany({
    where: { studyId, status: 'pruned' },
    select: { number: true, params: true, intermediates: { select: { value: true }, orderBy: { value: direction === 'minimize' ? 'asc' : 'desc' }, take: 1 } },
    orderBy: { number: 'asc' },
  });
  return rows.flatMap((r) => (r.intermediates.length ? [{ number: r.number, params: r.params, best: r.intermediates[0].value }] : []));
}
