import { countRunningTrials, listStudyRows } from '@stepwise/db';
import type { StudyStatus, StudySummary } from './service-types';
import type { ServiceContext } from './context';
import { isLive, withHealth } from './health';
import { toSummary } from './rows';
import { resolveId } from './resolve-id';

export interface ListStudiesInput {
  limit: number;
  cursor?: string | null;
  status?: StudyStatus;
  /** Only the studies this schedule launched (a full id or a unique prefix). */
  scheduleId?: string;
}

export interface StudyPage {
  items: StudySummary[];
  nextCursor: string | null;
}

/** A page of studies, newest first (optionally one schedule's); live ones carry their running-trial count and workflow health. */
export function listStudies({ db, healthCache }: ServiceContext) {
  return async ({ limit, cursor, status, scheduleId }: ListStudiesInput): Promise<StudyPage> => {
    const schedule = scheduleId === undefined ? undefined : await resolveId(db, 'schedule', scheduleId, 'scheduleId');
    const page = await listStudyRows(db, { limit, cursor, status, scheduleId: schedule });
    const live = page.items.filter(isLive);
    const [running, health] = await Promise.all([
      countRunningTrials(db, live.map((s) => s.id)),
      healthCache.many(live.flatMap((s) => (s.workflowId ? [s.workflowId] : []))),
    ]);
    return {
      items: page.items.map((s) => withHealth(toSummary(s, running.get(s.id) ?? 0), s, s.workflowId ? health.get(s.workflowId) : undefined)),
      nextCursor: page.nextCursor,
    };
  };
}
