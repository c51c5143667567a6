import { updateScheduleRow } from '@stepwise/db';
import type { ScheduleRow } from './service-types';
import type { ServiceDeps } from './context';
import { refreshNextRun, scheduleOrThrow } from './lookups';
import { toScheduleRow } from './rows';

/** Pauses the Temporal schedule and records it on the row. */
export function pauseSchedule(deps: ServiceDeps) {
  return async (id: string): Promise<ScheduleRow> => {
    const row = await scheduleOrThrow(deps, id);
    await deps.temporal.schedule.getHandle(row.temporalScheduleId).pause('paused from Stepwise');
    return toScheduleRow(await refreshNextRun(deps, await updateScheduleRow(deps.db, id, { paused: true })));
  };
}
