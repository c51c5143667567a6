import type { Client } from '@temporalio/client';
import type { Db } from '@stepwise/db';
import type { ServiceConfig } from './config';
import { createHealthCache } from './workflow-health';

/** What the service is built from: the database, the Temporal client and the task queues to start work on. */
export interface ServiceDeps {
  db: Db;
  temporal: Client;
  queues: Pick<ServiceConfig, 'taskQueue' | 'computeQueue'> & { proposalsQueue?: string };
}

/** The deps plus state shared by several use cases of one service instance. */
export interface ServiceContext extends ServiceDeps {
  /** Temporal's view of live studies' workflows, cached briefly (list, get and cancel read it). */
  healthCache: ReturnType<typeof createHealthCache>;
}

export function serviceContext(deps: ServiceDeps): ServiceContext {
  return { ...deps, healthCache: createHealthCache(deps.temporal) };
}
