import { mkdirSync } from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createComputeActivities } from './activities';
import { computeWorkerConfigFromEnv } from './config';

/** Compute worker process: one per device. Knows only Temporal and its model files, never the DB. */
const config = computeWorkerConfigFromEnv();
// The model directory holds the built-ins and cached references too: a fresh host has none yet,
// and a missing model should read "model X not found", not "no model directory".
mkdirSync(config.modelDir, { recursive: true });
const connection = await NativeConnection.connect({ address: config.temporalAddress });
const worker = await Worker.create({
  connection,
  namespace: config.namespace,
  taskQueue: config.taskQueue,
  identity: config.identity,
  activities: createComputeActivities(config),
  maxConcurrentActivityTaskExecutions: config.concurrency,
});
console.log(
  `compute worker ${config.identity} on queue "${config.taskQueue}" (device ${config.device}, concurrency ${config.concurrency}, ` +
    `at most ${config.maxSamplesPerActivity} samples per activity, reference cache ${config.referenceCacheBytes / 1024 / 1024} MiB)`,
);
await worker.run();
await connection.close();
