import { ScheduleNotFoundError } from '@temporalio/client';
import { effectiveSpace, type TSpace, type TStudyConfig } from '@stepwise/core';
import { countRunningTrials, getScheduleRow, getStudyRow, updateScheduleRow, type ScheduleRowDb, type StudyRow } from '@stepwise/db';
import { NotFoundError, type StudySummary } from './service-types';
import type { ServiceDeps } from './context';
import { toSummary } from './rows';

/** Row lookups shared by several use cases; each throws NotFoundError for an unknown id. */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an id shaped like a UUID: anything else cannot be a row, and is not sent to Postgres as one. */
export const isUuid = (id: string) => UUID_RE.test(id);

export async function studySummary({ db }: Pick<ServiceDeps, 'db'>, id: string): Promise<StudySummary> {
  const row = await getStudyRow(db, id);
  if (!row) throw new NotFoundError('study', id);
  const running = await countRunningTrials(db, [id]);
  return toSummary(row, running.get(id) ?? 0);
}

export async function studyOrThrow({ db }: Pick<ServiceDeps, 'db'>, id: string): Promise<StudyRow> {
  const row = isUuid(id) ? await getStudyRow(db, id) : null;
  if (!row) throw new NotFoundError('study', id);
  return row;
}

/** The study's search space, or none when its stored config no longer parses. */
export function spaceOf(row: StudyRow): TSpace {
  try {
    return effectiveSpace(row.config as unknown as TStudyConfig);
  } catch {
    return [];
  }
}

export async function scheduleOrThrow({ db }: Pick<ServiceDeps, 'db'>, id: string): Promise<ScheduleRowDb> {
  const row = await getScheduleRow(db, id);
  if (!row) throw new NotFoundError('schedule', id);
  return row;
}

/** The row with Temporal's next and last run times written back to it (unchanged when the schedule is gone). */
export async function refreshNextRun({ db, temporal }: Pick<ServiceDeps, 'db' | 'temporal'>, row: ScheduleRowDb): Promise<ScheduleRowDb> {
  try {
    const desc = await temporal.schedule.getHandle(row.temporalScheduleId).describe();
    const next = desc.info.nextActionTimes[0] ?? null;
    const last = desc.info.recentActions.at(-1)?.takenAt ?? row.lastRunAt;
    return await updateScheduleRow(db, row.id, { nextRunAt: desc.state.paused ? null : next, lastRunAt: last ?? null });
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return row;
    throw err;
  }
}
