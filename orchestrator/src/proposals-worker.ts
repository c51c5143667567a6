import { NativeConnection, Worker } from '@temporalio/worker';
import { createDb, type Db } from '@stepwise/db';
import { createProposalActivities } from './activities/proposal-activities';
import type { OrchestratorConfig } from './config';

/**
 * The proposals worker: activities only (no workflows), on the proposals task queue. Several may
 * run; each proposal commits optimistically, so two workers proposing for one study never record
 * the same trial twice. A killed worker's proposal is retried elsewhere after its heartbeat lapses.
 */
export async function createProposalsWorker(config: OrchestratorConfig): Promise<{ worker: Worker; db: Db; close: () => Promise<void> }> {
  const db = createDb(config.databaseUrl, 4);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.proposalsQueue,
    identity: config.identity,
    activities: createProposalActivities(db),
    // CPU-bound: more than one at a time per process only makes each slower.
    maxConcurrentActivityTaskExecutions: 2,
  });
  return {
    worker,
    db,
    close: async () => {
      await db.$disconnect();
      await connection.close();
    },
  };
}
