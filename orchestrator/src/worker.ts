import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { migrate } from '@stepwise/db';
import { createDbActivities } from './activities/db-activities';
import type { OrchestratorConfig } from './config';
import { startDbWorker, type RunningWorker } from './worker-bootstrap';

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
export async function createOrchestratorWorker(config: OrchestratorConfig): Promise<RunningWorker> {
  await migrate(config.databaseUrl);
  return startDbWorker(config, {
    taskQueue: config.taskQueue,
    poolSize: 20,
    activities: createDbActivities,
    workflowBundle: await workflowBundle(),
    maxConcurrentActivityTaskExecutions: 32,
    // A killed orchestrator's cached workflows move to another worker after this long (default 10 s).
    stickyQueueScheduleToStartTimeout: '4s',
  });
}
