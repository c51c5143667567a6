import { orchestratorConfigFromEnv } from './config';
import { createOrchestratorWorker } from './worker';

const config = orchestratorConfigFromEnv();
const { worker, close } = await createOrchestratorWorker(config);
console.log(`orchestrator ${config.identity} on queue "${config.taskQueue}" (compute queue "${config.computeQueue}")`);
await worker.run();
await close();
