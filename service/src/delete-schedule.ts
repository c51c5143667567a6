import { ScheduleNotFoundError } from '@temporalio/client';
import { deleteScheduleRow } from '@stepwise/db';
import type { ServiceDeps } from './context';
import { scheduleOrThrow } from './lookups';

/** Deletes the Temporal schedule (already gone is fine) and then its row. */
export function deleteSchedule(deps: ServiceDeps) {
  return async (id: string): Promise<{ id: string }> => {
    const row = await scheduleOrThrow(deps, id);
    try {
      await deps.temporal.schedule.getHandle(row.temporalScheduleId).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    await deleteScheduleRow(deps.db, id);
    return { id };
  };
}
