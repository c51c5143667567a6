import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { ScheduleRow } from './service-types';
import type { ServiceDeps } from './context';
import { scheduleOrThrow } from './lookups';
import { toScheduleRow } from './rows';

/** Fires the schedule now; resolves when Temporal has accepted the trigger. */
export function triggerSchedule(deps: ServiceDeps) {
  return async (id: string): Promise<ScheduleRow> => {
    const row = await scheduleOrThrow(deps, id);
    await deps.temporal.schedule.getHandle(row.temporalScheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    return toScheduleRow(row);
  };
}
