import { Client, Connection } from '@temporalio/client';
import { createDb, type Db } from '@stepwise/db';
import { createService, type StepwiseService, type StudySummary } from '@stepwise/service';
import { waitFor } from '../../infra/stack/processes';
import type { WorkerEnv } from './workers';

/** The real launch/control service (Postgres + Temporal client), as the web server builds it. */
export async function connectService(w: WorkerEnv): Promise<{ service: StepwiseService; db: Db; temporal: Client; close: () => Promise<void> }> {
  const db = createDb(w.databaseUrl, 5);
  const connection = await Connection.connect({ address: w.temporalAddress });
  const temporal = new Client({ connection });
  const service = createService({ db, temporal, queues: { taskQueue: w.orchestratorQueue, computeQueue: w.computeQueue, proposalsQueue: w.proposalsQueue } });
  return {
    service,
    db,
    temporal,
    close: async () => {
      await db.$disconnect();
      await connection.close();
    },
  };
}

export async function waitForStatus(
  service: StepwiseService,
  studyId: string,
  statuses: StudySummary['status'][],
  timeoutMs = 180_000,
): Promise<StudySummary> {
  let last: StudySummary | null = null;
  await waitFor(`study ${studyId} to reach ${statuses.join('|')} (last: ${last ? JSON.stringify(last) : 'none'})`, async () => {
    last = await service.getStudy(studyId);
    return statuses.includes(last.status);
  }, timeoutMs, 250);
  return last!;
}
