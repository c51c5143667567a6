import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';

/**
 * A workflow worker for the orchestrator queue that cannot run real studies (see
 * wedged-workflows.ts): tests/faults.test.ts starts it in place of a killed orchestrator.
 * Env: TEMPORAL_ADDRESS, STEPWISE_ORCHESTRATOR_QUEUE.
 */
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const taskQueue = process.env.STEPWISE_ORCHESTRATOR_QUEUE;
if (!taskQueue) throw new Error('STEPWISE_ORCHESTRATOR_QUEUE is not set');
const connection = await NativeConnection.connect({ address });
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('./wedged-workflows.ts', import.meta.url)),
  logger: { log() {}, info() {}, warn() {}, error: console.error, debug() {}, trace() {} } as never,
});
const worker = await Worker.create({ connection, taskQueue, identity: 'wedged-worker', workflowBundle });
console.log(`wedged worker on queue "${taskQueue}"`);
await worker.run();
await connection.close();
