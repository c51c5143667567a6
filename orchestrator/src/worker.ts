import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createDb, migrate, type Db } from '@stepwise/db';
import { createDbActivities } from './activities/db-activities';
import type { OrchestratorConfig } from './config';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

/** Bundles workflow code once per process (webpack; a few seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error: console.error, debug() {}, trace() {} } as never });
  return bundle;
}

/**
 * The orchestrator worker: workflows plus the DB activities. Applies pending migrations first so
 * a fresh database is usable as soon as any orchestrator starts.
 */
export async function createOrchestratorWorker(config: OrchestratorConfig): Promise<{ worker: Worker; db: Db; close: () => Promise<void> }> {
  await migrate(config.databaseUrl);
  const db = createDb(config.databaseUrl, 20);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    identity: config.identity,
    workflowBundle: await workflowBundle(),
    activities: createDbActivities(db),
    maxConcurrentActivityTaskExecutions: 32,
    // A killed orchestrator's cached workflows move to another worker after this long (default 10 s).
    stickyQueueScheduleToStartTimeout: '4s',
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
