import os from 'node:os';
import path from 'node:path';
import { DEFAULT_COMPUTE_QUEUE } from '@stepwise/core';

/** Compute-worker settings, all from the environment: a compute host needs nothing else. */
export interface ComputeWorkerConfig {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  device: string;
  concurrency: number;
  identity: string;
  /** Model files (and cached reference solutions) live here; nothing outside it is ever opened. */
  modelDir: string;
}

export function computeWorkerConfigFromEnv(env = process.env): ComputeWorkerConfig {
  const device = env.STEPWISE_DEVICE ?? 'cpu';
  const concurrency = Number(env.STEPWISE_COMPUTE_CONCURRENCY ?? (device.startsWith('cuda') ? 1 : Math.max(2, os.cpus().length * 2)));
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`STEPWISE_COMPUTE_CONCURRENCY must be a positive integer, got "${env.STEPWISE_COMPUTE_CONCURRENCY}"`);
  }
  return {
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.STEPWISE_TASK_QUEUE ?? DEFAULT_COMPUTE_QUEUE,
    device,
    concurrency,
    identity: env.STEPWISE_WORKER_ID ?? `compute-${device}@${os.hostname()}:${process.pid}`,
    modelDir: path.resolve(env.STEPWISE_MODEL_DIR?.trim() || '.data/models'),
  };
}
