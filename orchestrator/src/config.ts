import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DEFAULT_COMPUTE_QUEUE, DEFAULT_ORCHESTRATOR_QUEUE } from '@stepwise/core';

/** Orchestrator settings from the environment (same variables in every topology). */
export interface OrchestratorConfig {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  computeQueue: string;
  databaseUrl: string;
  identity: string;
}

export function orchestratorConfigFromEnv(env = process.env): OrchestratorConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set: point it at the Stepwise Postgres database');
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.STEPWISE_ORCHESTRATOR_QUEUE ?? DEFAULT_ORCHESTRATOR_QUEUE,
    computeQueue: env.STEPWISE_TASK_QUEUE ?? DEFAULT_COMPUTE_QUEUE,
    databaseUrl,
    // Every container is PID 1: a random suffix keeps identities apart when hostnames repeat.
    identity: env.STEPWISE_WORKER_ID ?? `orchestrator@${os.hostname()}:${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}
