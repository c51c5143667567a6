import type { TStudyConfig } from '@stepwise/core';
import type { Db, DbOrTx } from './client';
import { Prisma } from './generated/client';
import type { StudyKind, StudySource, StudyStatus } from './generated/enums';
import { isUuid } from './ids';
import { InvalidCursorError } from './trials';

/** Named data-access functions for studies. Activities call these; every write is idempotent. */

export type StudyRow = Prisma.StudyGetPayload<object>;

export interface CreateStudyInput {
  config: TStudyConfig;
  source: StudySource;
  trialsTotal: number;
  scheduleId?: string | null;
  /** When given, creating twice with the same workflow id returns the first row (schedule firings). */
  workflowId?: string;
}

export async function createStudy(db: Db, input: CreateStudyInput): Promise<StudyRow> {
  const data = {
    name: input.config.name,
    kind: input.config.kind as StudyKind,
    config: input.config as unknown as Prisma.InputJsonValue,
    source: input.source,
    scheduleId: input.scheduleId ?? null,
    metric: input.config.objective.metric,
    direction: input.config.objective.direction,
    trialsTotal: input.trialsTotal,
    workflowId: input.workflowId ?? null,
  };
  if (!input.workflowId) return db.study.create({ data });
  return db.study.upsert({ where: { workflowId: input.workflowId }, create: data, update: {} });
}

/** queued -> running (idempotent; never moves a finished study back). */
export async function markStudyRunning(db: Db, id: string): Promise<void> {
  await db.study.updateMany({
    where: { id, status: { in: ['queued', 'paused'] } },
    data: { status: 'running', startedAt: new Date() },
  });
}

export async function setStudyPaused(db: Db, id: string, paused: boolean): Promise<void> {
  await db.study.updateMany({
    where: { id, status: paused ? 'running' : 'paused' },
    data: { status: paused ? 'paused' : 'running' },
  });
}

const TERMINAL: StudyStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Moves a study to a terminal status and, in the same transaction, ends every trial still
 * pending or running as cancelled: a finished study never shows a RUNNING trial.
 */
export async function finishStudy(db: Db, id: string, status: 'completed' | 'failed' | 'cancelled', error?: string): Promise<void> {
  await db.$transaction(async (tx) => {
    // Lock the study row first: concurrent insertTrials (which take a share lock) either finish
    // before us, so we close their trials, or run after and see a finished study.
    await tx.$queryRaw`SELECT id FROM study WHERE id = ${id}::uuid FOR UPDATE`;
    const cancelled = await tx.trial.updateMany({
      where: { studyId: id, status: { in: ['pending', 'running'] } },
      data: { status: 'cancelled', finishedAt: new Date() },
    });
    await tx.study.updateMany({
      where: { id, status: { notIn: TERMINAL } },
      data: {
        status,
        error: error ?? null,
        finishedAt: new Date(),
        trialsCancelled: { increment: cancelled.count },
      },
    });
  });
}

export async function setStrategyState(db: DbOrTx, id: string, state: unknown): Promise<void> {
  await db.study.update({ where: { id }, data: { strategyState: state as Prisma.InputJsonValue } });
}

export async function getStudyRow(db: DbOrTx, id: string): Promise<StudyRow | null> {
  if (!isUuid(id)) return null;
  return db.study.findUnique({ where: { id } });
}

export async function listStudyRows(
  db: Db,
  opts: { limit: number; cursor?: string | null; status?: StudyStatus; scheduleId?: string },
): Promise<{ items: StudyRow[]; nextCursor: string | null }> {
  // The cursor is the last study id of the previous page; a cursor naming no study gives an empty page.
  if (opts.cursor && !isUuid(opts.cursor)) throw new InvalidCursorError();
  if (opts.scheduleId !== undefined && !isUuid(opts.scheduleId)) return { items: [], nextCursor: null };
  const rows = await db.study.findMany({
    where: { ...(opts.status ? { status: opts.status } : {}), ...(opts.scheduleId ? { scheduleId: opts.scheduleId } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const more = rows.length > opts.limit;
  const items = more ? rows.slice(0, opts.limit) : rows;
  return { items, nextCursor: more ? items[items.length - 1].id : null };
}

/** Running-trial counts per study, for a page of studies, in one query. */
export async function countRunningTrials(db: Db, studyIds: string[]): Promise<Map<string, number>> {
  if (studyIds.length === 0) return new Map();
  const groups = await db.trial.groupBy({
    by: ['studyId'],
    where: { studyId: { in: studyIds }, status: 'running' },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.studyId, g._count._all]));
}
