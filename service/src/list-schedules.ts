import { listScheduleRows } from '@stepwise/db';
import type { ScheduleRow } from './service-types';
import type { ServiceDeps } from './context';
import { refreshNextRun } from './lookups';
import { toScheduleRow } from './rows';

/** Every schedule, with next/last run times refreshed from Temporal. */
export function listSchedules(deps: ServiceDeps) {
  return async (): Promise<ScheduleRow[]> => {
    const rows = await listScheduleRows(deps.db);
    return Promise.all(rows.map(async (r) => toScheduleRow(await refreshNextRun(deps, r))));
  };
}
