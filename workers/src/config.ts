import { randomBytes } from 'node:crypto';
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
  /** Most samples one evaluateSamplerBlock / renderSampleGrid request may ask for (STEPWISE_MAX_SAMPLES_PER_ACTIVITY). */
  maxSamplesPerActivity: number;
  /** Disk budget of the reference-solution cache under <modelDir>/refs, in bytes (STEPWISE_REFERENCE_CACHE_MB). */
  referenceCacheBytes: number;
}

export const DEFAULT_MAX_SAMPLES_PER_ACTIVITY = 65536;
export const DEFAULT_REFERENCE_CACHE_MB = 512;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}" (unset it for the default ${fallback})`);
  return n;
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
    // The PID alone does not tell containers apart (each is PID 1), nor always the hostname (host
    // networking, fixed hostnames): a random suffix keeps identities distinct in the trial records.
    identity: env.STEPWISE_WORKER_ID ?? `compute-${device}@${os.hostname()}:${process.pid}-${randomBytes(3).toString('hex')}`,
    modelDir: path.resolve(env.STEPWISE_MODEL_DIR?.trim() || '.data/models'),
    maxSamplesPerActivity: positiveInteger(env, 'STEPWISE_MAX_SAMPLES_PER_ACTIVITY', DEFAULT_MAX_SAMPLES_PER_ACTIVITY),
    referenceCacheBytes: positiveInteger(env, 'STEPWISE_REFERENCE_CACHE_MB', DEFAULT_REFERENCE_CACHE_MB) * 1024 * 1024,
  };
}
