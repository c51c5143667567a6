import type { Prisma } from './generated/client';
import type { Db, DbOrTx } from './client';

/**
 * Queries of the `s3` study kind. Its trials carry their NFE group, role and schedule in params
 * ({ nfe, role, schedule, ... }); each evaluation's seed blocks keep per-seed values, from which
 * the report computes paired statistics. Shapes only: the search and the statistics are core's.
 */

export interface S3TrialRow {
  number: number;
  params: Record<string, unknown>;
  proposal: unknown;
  status: string;
  value: number | null;
  /** Mean over the first block (the search's seeds), the value comparable across every evaluation. */
  searchValue: number | null;
}

/** Every trial of one NFE group (all roles), in number order, with the mean of its first block. */
export async function s3GroupTrials(db: DbOrTx, studyId: string, nfe: number): Promise<S3TrialRow[]> {
  const rows = await db.trial.findMany({
    where: { studyId, params: { path: ['nfe'], equals: nfe } },
    orderBy: { number: 'asc' },
    select: { number: true, params: true, proposal: true, status: true, value: true, blocks: { where: { blockIndex: 0 }, select: { stats: true } } },
  });
  return rows.map((r) => {
    const first = r.blocks[0]?.stats as { mean?: unknown; n?: unknown } | undefined;
    const searchValue = r.status === 'completed' && first && typeof first.mean === 'number' && Number.isFinite(first.mean) ? first.mean : null;
    return { number: r.number, params: r.params as Record<string, unknown>, proposal: r.proposal, status: r.status, value: r.value, searchValue };
  });
}

/** Per-seed values of trials `numbers`, blocks concatenated in seed order (empty when none were kept). */
export async function trialSeedValues(db: DbOrTx, studyId: string, numbers: number[]): Promise<Map<number, { seedStart: number; values: number[] }[]>> {
  const rows = await db.trialBlock.findMany({
    where: { trial: { studyId, number: { in: numbers } } },
    orderBy: [{ blockIndex: 'asc' }],
    select: { seedStart: true, values: true, stats: true, trial: { select: { number: true } } },
  });
  const out = new Map<number, { seedStart: number; values: number[] }[]>();
  for (const r of rows) {
    if (!Array.isArray(r.values)) continue;
    const list = out.get(r.trial.number) ?? [];
    list.push({ seedStart: r.seedStart, values: r.values as number[] });
    out.set(r.trial.number, list);
  }
  return out;
}

/**
 * Merges `patch` into the `s3` key of the study's strategy state under a row lock (concurrent
 * writers of other keys, e.g. a stage record and the report, never overwrite each other).
 */
export async function mergeS3State(db: Db, studyId: string, patch: (current: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM study WHERE id = ${studyId}::uuid FOR UPDATE`;
    const row = await tx.study.findUnique({ where: { id: studyId }, select: { strategyState: true } });
    const state = row?.strategyState !== null && typeof row?.strategyState === 'object' && !Array.isArray(row.strategyState) ? (row.strategyState as Record<string, unknown>) : {};
    const current = state.s3 !== null && typeof state.s3 === 'object' && !Array.isArray(state.s3) ? (state.s3 as Record<string, unknown>) : {};
    const next = patch(current);
    await tx.study.update({ where: { id: studyId }, data: { strategyState: { ...state, s3: next } as Prisma.InputJsonValue } });
    return next;
  });
}

/** Sets the study's planned trial count (an s3 study knows it once its baselines are listed). */
export async function setTrialsTotal(db: DbOrTx, studyId: string, total: number): Promise<void> {
  await db.study.update({ where: { id: studyId }, data: { trialsTotal: total } });
}

export interface S3RoleSummary {
  nfe: number;
  /** The trial role, with ":off" for the ablation arm's search, select and holdout trials. */
  role: string;
  total: number;
  completed: number;
  /** The role's best completed trial (lowest value; ties: lowest number), or null. */
  best: { trial: number; value: number; ciLow: number | null; ciHigh: number | null; label: string | null } | null;
}

/**
 * Per (NFE group, role): counts and the best completed trial, aggregated in Postgres so a live
 * dashboard never reads thousands of schedules to draw one chart. `direction` picks the best.
 */
export async function s3GroupSummary(db: DbOrTx, studyId: string, direction: 'minimize' | 'maximize'): Promise<S3RoleSummary[]> {
  const counts = await db.$queryRaw<Array<{ nfe: number | null; role: string | null; total: bigint; completed: bigint }>>`
    SELECT (params->>'nfe')::int AS nfe, params->>'role' || coalesce(':' || (params->>'arm'), '') AS role, count(*) AS total,
           count(*) FILTER (WHERE status = 'completed') AS completed
    FROM trial WHERE study_id = ${studyId}::uuid GROUP BY 1, 2`;
  const best = direction === 'minimize'
    ? await db.$queryRaw<Array<{ nfe: number; role: string; number: number; value: number; ci_low: number | null; ci_high: number | null; label: string | null }>>`
        SELECT DISTINCT ON (1, 2) (params->>'nfe')::int AS nfe, params->>'role' || coalesce(':' || (params->>'arm'), '') AS role, number, value, ci_low, ci_high, params->>'label' AS label
        FROM trial WHERE study_id = ${studyId}::uuid AND status = 'completed' AND value IS NOT NULL
        ORDER BY 1, 2, value ASC, number ASC`
    : await db.$queryRaw<Array<{ nfe: number; role: string; number: number; value: number; ci_low: number | null; ci_high: number | null; label: string | null }>>`
        SELECT DISTINCT ON (1, 2) (params->>'nfe')::int AS nfe, params->>'role' || coalesce(':' || (params->>'arm'), '') AS role, number, value, ci_low, ci_high, params->>'label' AS label
        FROM trial WHERE study_id = ${studyId}::uuid AND status = 'completed' AND value IS NOT NULL
        ORDER BY 1, 2, value DESC, number ASC`;
  return counts
    .filter((c) => c.nfe !== null && c.role !== null)
    .map((c) => {
      const b = best.find((x) => x.nfe === c.nfe && x.role === c.role);
      return {
        nfe: c.nfe!, role: c.role!, total: Number(c.total), completed: Number(c.completed),
        best: b ? { trial: b.number, value: b.value, ciLow: b.ci_low, ciHigh: b.ci_high, label: b.label } : null,
      };
    })
    .sort((a, b) => a.nfe - b.nfe || a.role.localeCompare(b.role));
}

/** The `s3` key of the study's strategy state ({} when none). */
export async function s3StudyState(db: DbOrTx, studyId: string): Promise<Record<string, unknown>> {
  const row = await db.study.findUnique({ where: { id: studyId }, select: { strategyState: true } });
  const state = row?.strategyState as Record<string, unknown> | null | undefined;
  const s3 = state && typeof state === 'object' ? state.s3 : undefined;
  return s3 && typeof s3 === 'object' && !Array.isArray(s3) ? (s3 as Record<string, unknown>) : {};
}
