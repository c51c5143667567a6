import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createDb, type Db } from '@stepwise/db';
import type { OrchestratorConfig } from './config';

export interface RunningWorker {
  worker: Worker;
  db: Db;
  close: () => Promise<void>;
}

/**
 * The one way the orchestrator package starts a Temporal worker with a database pool: connect,
 * create the worker on the given queue with its activities (built from the pool), and close both
 * in order. The orchestrator worker and the proposals worker differ only in the options.
 */
export async function startDbWorker(
  config: OrchestratorConfig,
  opts: { taskQueue: string; poolSize: number; activities: (db: Db) => object } & Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'identity' | 'activities'>,
): Promise<RunningWorker> {
  const { taskQueue, poolSize, activities, ...options } = opts;
  const db = createDb(config.databaseUrl, poolSize);
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  try {
    const worker = await Worker.create({ ...options, connection, namespace: config.namespace, taskQueue, identity: config.identity, activities: activities(db) });
    return {
      worker,
      db,
      close: async () => {
        await db.$disconnect();
        await connection.close();
      },
    };
  } catch (err) {
    await db.$disconnect().catch(() => {});
    await connection.close().catch(() => {});
    throw err;
  }
}
