import type { NewTrial, TParams, TrialBlockRecord, TrialResult } from '@stepwise/core';
import type { Db, DbOrTx } from './client';
import { Prisma } from './generated/client';
import type { TrialStatus } from './generated/enums';
import { isUuid } from './ids';

/**
 * Trial writes come from Temporal activities, which may run more than once: every function here
 * is idempotent, keyed by (study, trial number), and batched so a 10,000-trial study costs a few
 * hundred statements rather than tens of thousands.
 */

export type TrialRowDb = Prisma.TrialGetPayload<object>;

// The messages these functions write are workflow contracts, defined in core; re-exported so
// callers of the data layer can keep naming them from here.
export type { NewTrial, TrialResult, TrialBlockRecord } from '@stepwise/core';

/** Records proposals as running before they are dispatched. Re-inserting a number is a no-op. */
export async function insertTrials(db: DbOrTx, studyId: string, trials: NewTrial[]): Promise<number> {
  if (trials.length === 0) return 0;
  const numbers = trials.map((t) => t.number);
  const params = trials.map((t) => JSON.stringify(t.params));
  const proposals = trials.map((t) => (t.proposal ? JSON.stringify(t.proposal) : null));
  // The share lock on the study row orders this insert against finishStudy: a trial can never be
  // inserted as running into a study that has already ended.
  return db.$executeRaw`
    WITH open_study AS (
      SELECT id FROM study WHERE id = ${studyId}::uuid AND status IN ('queued', 'running', 'paused') FOR SHARE
    )
    INSERT INTO trial (id, study_id, number, params, proposal, status, started_at)
    SELECT gen_random_uuid(), s.id, r.number, r.params::jsonb, r.proposal::jsonb, 'running', now()
    FROM unnest(${numbers}::int[], ${params}::text[], ${proposals}::text[]) AS r(number, params, proposal)
    CROSS JOIN open_study s
    ON CONFLICT (study_id, number) DO NOTHING`;
}

/**
 * Finishes trials and, in the same statement, bumps the study's counters and best value. Only
 * trials still pending/running change, so a retried activity counts nothing twice.
 * Returns how many trials this call finished.
 */
export async function recordTrialResults(db: DbOrTx, studyId: string, direction: 'minimize' | 'maximize', results: TrialResult[]): Promise<number> {
  if (results.length === 0) return 0;
  const col = <K extends keyof TrialResult>(k: K) => results.map((r) => (r[k] ?? null) as TrialResult[K] | null);
  const finite = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  const minimize = direction === 'minimize';
  const rows = await db.$queryRaw<Array<{ updated: bigint }>>`
    WITH input AS (
      SELECT * FROM unnest(
        ${col('number')}::int[], ${col('status')}::text[], ${results.map((r) => finite(r.value))}::float8[],
        ${results.map((r) => finite(r.stderr))}::float8[], ${results.map((r) => finite(r.ciLow))}::float8[],
        ${results.map((r) => finite(r.ciHigh))}::float8[], ${col('n')}::int[], ${col('error')}::text[],
        ${col('worker')}::text[], ${col('seconds')}::float8[], ${results.map((r) => r.attempt ?? 1)}::int[],
        ${col('costSamples')}::int[], ${col('costNfe')}::int[]
      ) AS r(number, status, value, stderr, ci_low, ci_high, n, error, worker, seconds, attempt, cost_samples, cost_nfe)
    ), upd AS (
      UPDATE trial t
      SET status = r.status::"TrialStatus", value = r.value, stderr = r.stderr, ci_low = r.ci_low, ci_high = r.ci_high,
          n = r.n, error = r.error, worker = r.worker, cost_seconds = r.seconds, attempt = r.attempt,
          cost_samples = r.cost_samples, cost_nfe = r.cost_nfe, finished_at = now()
      FROM input r
      WHERE t.study_id = ${studyId}::uuid AND t.number = r.number AND t.status IN ('pending', 'running')
      RETURNING t.number, t.status, t.value
    ), best AS (
      SELECT number, value FROM upd
      WHERE status = 'completed' AND value IS NOT NULL
      ORDER BY CASE WHEN ${minimize} THEN value ELSE -value END ASC
      LIMIT 1
    ), counts AS (
      SELECT count(*) FILTER (WHERE status = 'completed') AS completed,
             count(*) FILTER (WHERE status = 'failed') AS failed,
             count(*) FILTER (WHERE status = 'pruned') AS pruned,
             count(*) AS updated
      FROM upd
    ), study_update AS (
      UPDATE study s
      SET trials_completed = s.trials_completed + c.completed,
          trials_failed = s.trials_failed + c.failed,
          trials_pruned = s.trials_pruned + c.pruned,
          best_value = CASE WHEN b.value IS NOT NULL AND (s.best_value IS NULL OR
                         (CASE WHEN ${minimize} THEN b.value < s.best_value ELSE b.value > s.best_value END))
                       THEN b.value ELSE s.best_value END,
          best_trial_number = CASE WHEN b.value IS NOT NULL AND (s.best_value IS NULL OR
                         (CASE WHEN ${minimize} THEN b.value < s.best_value ELSE b.value > s.best_value END))
                       THEN b.number ELSE s.best_trial_number END
      FROM counts c LEFT JOIN best b ON true
      WHERE s.id = ${studyId}::uuid AND c.updated > 0
      RETURNING s.id
    )
    SELECT updated FROM counts`;
  return Number(rows[0]?.updated ?? 0);
}

export type TrialSortField = 'number' | 'value' | 'finishedAt';

export interface ListTrialsQuery {
  studyId: string;
  cursor?: string | null;
  limit: number;
  sort: TrialSortField;
  order: 'asc' | 'desc';
  status?: TrialStatus;
}

interface Cursor {
  v: number | string | null;
  n: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor: not a cursor returned by this API; start again without one');
    this.name = 'InvalidCursorError';
  }
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * A cursor is client-held, so anything may come back: only the shapes encodeCursor writes for
 * `sort` pass (an int32 trial number; a finite number, an ISO time or null as the sort value).
 */
function decodeCursor(raw: string, sort: TrialSortField): Cursor {
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof c !== 'object' || c === null) throw new InvalidCursorError();
  const { n, v } = c as { n?: unknown; v?: unknown };
  if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > INT32_MAX) throw new InvalidCursorError();
  if (sort === 'number') return { v: null, n };
  if (v === null) return { v, n };
  if (sort === 'value' && typeof v === 'number' && Number.isFinite(v)) return { v, n };
  if (sort === 'finishedAt' && typeof v === 'string' && v.length <= 40 && Number.isFinite(Date.parse(v))) return { v, n };
  throw new InvalidCursorError();
}

/**
 * Keyset pagination (value or time, then number as the tie-break, NULLs last), so page 500 of a
 * 100,000-trial study costs the same as page 1.
 */
export async function listTrialRows(db: Db, q: ListTrialsQuery): Promise<{ items: TrialRowDb[]; nextCursor: string | null; total: number }> {
  if (!isUuid(q.studyId)) return { items: [], nextCursor: null, total: 0 };
  const base: Prisma.TrialWhereInput = { studyId: q.studyId, ...(q.status ? { status: q.status } : {}) };
  let after: Prisma.TrialWhereInput | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor, q.sort);
    if (q.sort === 'number') {
      after = { number: q.order === 'asc' ? { gt: c.n } : { lt: c.n } };
    } else {
      const field = q.sort;
      const cmp = q.order === 'asc' ? 'gt' : 'lt';
      const value = field === 'finishedAt' && c.v !== null ? new Date(c.v as string) : c.v;
      after =
        value === null
          ? { [field]: null, number: { gt: c.n } }
          : { OR: [{ [field]: { [cmp]: value } }, { [field]: value, number: { gt: c.n } }, { [field]: null }] };
    }
  }
  const orderBy: Prisma.TrialOrderByWithRelationInput[] =
    q.sort === 'number' ? [{ number: q.order }] : [{ [q.sort]: { sort: q.order, nulls: 'last' } }, { number: 'asc' }];
  const [rows, total] = await Promise.all([
    db.trial.findMany({ where: after ? { AND: [base, after] } : base, orderBy, take: q.limit + 1 }),
    db.trial.count({ where: base }),
  ]);
  const more = rows.length > q.limit;
  const items = more ? rows.slice(0, q.limit) : rows;
  const last = items[items.length - 1];
  let nextCursor: string | null = null;
  if (more && last) {
    const v = q.sort === 'value' ? last.value : q.sort === 'finishedAt' ? (last.finishedAt?.toISOString() ?? null) : last.number;
    nextCursor = encodeCursor({ v, n: last.number });
  }
  return { items, nextCursor, total };
}

/**
 * Best-so-far curve in completion order. Large studies are thinned to at most `maxPoints`
 * points, always keeping every improvement, so the chart stays light at 100k trials. The running
 * best and the thinning happen in Postgres: the dashboard polls this, and a 100k-trial study
 * must not ship 100k rows every refresh.
 */
export async function bestSoFar(
  db: Db,
  studyId: string,
  direction: 'minimize' | 'maximize',
  maxPoints = 2000,
): Promise<Array<{ trialNumber: number; value: number; best: number }>> {
  const running = direction === 'minimize' ? Prisma.sql`min(value)` : Prisma.sql`max(value)`;
  const rows = await db.$queryRaw<Array<{ number: number; value: number; best: number }>>`
    WITH ordered AS (
      SELECT number, value,
             row_number() OVER w AS rn,
             ${running} OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS best,
             count(*) OVER () AS total
      FROM trial
      WHERE study_id = ${studyId}::uuid AND status = 'completed' AND value IS NOT NULL
      WINDOW w AS (ORDER BY finished_at, number)
    ), flagged AS (
      SELECT *, lag(best) OVER (ORDER BY rn) AS prev_best FROM ordered
    )
    SELECT number, value, best FROM flagged
    WHERE prev_best IS NULL OR best <> prev_best
       OR (rn - 1) % greatest(1, ceil(total::float8 / ${maxPoints})::int) = 0
       OR rn = total
    ORDER BY rn`;
  return rows.map((r) => ({ trialNumber: r.number, value: r.value, best: r.best }));
}

/**
 * Records one seed block of a trial's estimate (idempotent on (trial, block index)) and returns
 * every block recorded so far, in order: the estimate after a crash resumes from exactly these.
 */
export async function recordTrialBlock(db: Db, studyId: string, trialNumber: number, block: TrialBlockRecord): Promise<TrialBlockRecord[]> {
  await db.$executeRaw`
    INSERT INTO trial_block (trial_id, block_index, seed_start, seed_end, stats, "values")
    SELECT t.id, ${block.blockIndex}, ${block.seedStart}, ${block.seedEnd}, ${JSON.stringify(block.stats)}::jsonb,
      ${block.values ? JSON.stringify(block.values) : null}::jsonb
    FROM trial t WHERE t.study_id = ${studyId}::uuid AND t.number = ${trialNumber}
    ON CONFLICT (trial_id, block_index) DO NOTHING`;
  return trialBlocks(db, studyId, trialNumber);
}

export async function trialBlocks(db: DbOrTx, studyId: string, trialNumber: number): Promise<TrialBlockRecord[]> {
  const rows = await db.trialBlock.findMany({
    where: { trial: { studyId, number: trialNumber } },
    orderBy: { blockIndex: 'asc' },
    select: { blockIndex: true, seedStart: true, seedEnd: true, stats: true, values: true },
  });
  return rows.map((r) => ({
    blockIndex: r.blockIndex, seedStart: r.seedStart, seedEnd: r.seedEnd, stats: r.stats,
    ...(Array.isArray(r.values) ? { values: r.values as number[] } : {}),
  }));
}

/** What an adaptive strategy learns from: finished trials' values and the points still pending. */
export async function trialHistory(db: DbOrTx, studyId: string): Promise<{
  completed: Array<{ number: number; params: TParams; value: number | null; stderr: number | null }>;
  pending: Array<{ number: number; params: TParams }>;
}> {
  const rows = await db.trial.findMany({
    where: { studyId, status: { in: ['completed', 'failed', 'running', 'pending'] } },
    select: { number: true, params: true, value: true, stderr: true, status: true },
    orderBy: { number: 'asc' },
  });
  return {
    completed: rows
      .filter((r) => r.status === 'completed' || r.status === 'failed')
      .map((r) => ({ number: r.number, params: r.params as TParams, value: r.status === 'completed' ? r.value : null, stderr: r.stderr })),
    pending: rows.filter((r) => r.status === 'running' || r.status === 'pending').map((r) => ({ number: r.number, params: r.params as TParams })),
  };
}

/**
 * How many trial rows a study has. Rows are never deleted, so the count only grows with each
 * insert: a proposer reads it with its inputs and commits only if it is unchanged (optimistic
 * concurrency, see orchestrator/src/activities/propose-trials.ts).
 */
export async function trialRowCount(db: DbOrTx, studyId: string): Promise<number> {
  return db.trial.count({ where: { studyId } });
}

export async function getTrialsByNumber(db: DbOrTx, studyId: string, numbers: number[]): Promise<Array<{ number: number; params: TParams }>> {
  const rows = await db.trial.findMany({ where: { studyId, number: { in: numbers } }, select: { number: true, params: true }, orderBy: { number: 'asc' } });
  return rows.map((r) => ({ number: r.number, params: r.params as TParams }));
}
