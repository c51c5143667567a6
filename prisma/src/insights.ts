import { SURROGATE_MAX_POINTS, type BlockStatsInput, type SurrogateObservation, type TParams } from '@stepwise/core';
import type { DbOrTx } from './client';
import type { Prisma } from './generated/client';

/**
 * The queries behind the dashboard's read-only views: a trial's seed blocks, the observations a
 * study's surrogate conditions on, an evenly thinned sample for parallel coordinates. The math
 * that turns them into estimates and grids is core's (core/src/insights); this file only reads.
 */

export type InsightTrialRow = Prisma.TrialGetPayload<object>;

export async function findTrialRowByNumber(db: DbOrTx, studyId: string, number: number): Promise<InsightTrialRow | null> {
  return db.trial.findUnique({ where: { studyId_number: { studyId, number } } });
}

/** A trial with its seed blocks in order and its study's config; null when there is no such trial. */
export async function trialBlockSource(db: DbOrTx, trialId: string): Promise<{
  trial: { id: string; studyId: string; number: number; status: InsightTrialRow['status']; value: number | null; ciLow: number | null; ciHigh: number | null; n: number | null };
  config: unknown;
  blocks: BlockStatsInput[];
} | null> {
  const row = await db.trial.findUnique({
    where: { id: trialId },
    select: {
      id: true, studyId: true, number: true, status: true, value: true, ciLow: true, ciHigh: true, n: true,
      study: { select: { config: true } },
      blocks: { orderBy: { blockIndex: 'asc' }, select: { blockIndex: true, seedStart: true, seedEnd: true, stats: true, createdAt: true } },
    },
  });
  if (!row) return null;
  const { study, blocks, ...trial } = row;
  return { trial, config: study.config, blocks };
}

/**
 * Completed trials for the surrogate: the best `cap / 2` by value (index on (study, value)) and
 * an even spread over all of them by trial number, deduplicated. `completed` is the full count.
 */
export async function surrogateObservationRows(
  db: DbOrTx,
  studyId: string,
  direction: 'minimize' | 'maximize',
  cap = SURROGATE_MAX_POINTS,
): Promise<{ observations: SurrogateObservation[]; completed: number }> {
  const where = { studyId, status: 'completed' as const, value: { not: null } };
  const [best, spread, completed] = await Promise.all([
    db.trial.findMany({
      where,
      orderBy: [{ value: direction === 'minimize' ? 'asc' : 'desc' }, { number: 'asc' }],
      take: Math.floor(cap / 2),
      select: { number: true, params: true, value: true, stderr: true },
    }),
    evenlySpacedCompleted(db, studyId, cap - Math.floor(cap / 2)),
    db.trial.count({ where }),
  ]);
  const seen = new Set<number>();
  const observations: SurrogateObservation[] = [];
  for (const r of [...best, ...spread]) {
    if (seen.has(r.number) || r.value === null) continue;
    seen.add(r.number);
    observations.push({ number: r.number, params: r.params as TParams, value: r.value, stderr: r.stderr });
  }
  observations.sort((a, b) => a.number - b.number);
  return { observations, completed };
}

/** Completed trials evenly thinned to `limit` by trial number, with their intervals and the number completed. */
export async function evenlySpacedCompleted(db: DbOrTx, studyId: string, limit: number): Promise<Array<{ number: number; params: unknown; value: number | null; stderr: number | null; ci_low: number | null; ci_high: number | null; total: bigint }>> {
  if (limit <= 0) return [];
  // Row rn (0-based, by number) starts bucket floor(rn * limit / total) exactly when
  // (rn * limit) mod total < limit: one row per bucket, `limit` rows in all.
  return db.$queryRaw<Array<{ number: number; params: unknown; value: number | null; stderr: number | null; ci_low: number | null; ci_high: number | null; total: bigint }>>`
    SELECT number, params, value, stderr, ci_low, ci_high, total FROM (
      SELECT number, params, value, stderr, ci_low, ci_high,
             row_number() OVER (ORDER BY number) - 1 AS rn,
             count(*) OVER () AS total
      FROM trial
      WHERE study_id = ${studyId}::uuid AND status = 'completed' AND value IS NOT NULL
    ) s
    WHERE s.total <= ${limit}::bigint OR (s.rn * ${limit}::bigint) % s.total < ${limit}::bigint
    ORDER BY number`;
}

/** Completed trials' params and values, evenly thinned to `limit` by trial number. */
export async function parallelRows(db: DbOrTx, studyId: string, limit: number): Promise<{ rows: Array<{ number: number; params: TParams; value: number }>; total: number }> {
  const [rows, total] = await Promise.all([
    evenlySpacedCompleted(db, studyId, limit),
    db.trial.count({ where: { studyId, status: 'completed', value: { not: null } } }),
  ]);
  return {
    rows: rows.filter((r) => r.value !== null).map((r) => ({ number: r.number, params: r.params as TParams, value: r.value as number })),
    total,
  };
}
