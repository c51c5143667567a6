import { updateScheduleRow } from '@stepwise/db';
import type { ScheduleRow } from './service-types';
import type { ServiceDeps } from './context';
import { refreshNextRun, scheduleOrThrow } from './lookups';
import { toScheduleRow } from './rows';

/** Unpauses the Temporal schedule and records it on the row. */
export function unpauseSchedule(deps: ServiceDeps) {
  return async (id: string): Promise<ScheduleRow> => {
    const row = await scheduleOrThrow(deps, id);
    await deps.temporal.schedule.getHandle(row.temporalScheduleId).unpause('unpaused from Stepwise');
    return toScheduleRow(await refreshNextRun(deps, await updateScheduleRow(deps.db, id, { paused: false })));
  };
}
