import { orchestratorConfigFromEnv } from './config';
import { createProposalsWorker } from './proposals-worker';

const config = orchestratorConfigFromEnv(process.env, 'proposals');
const { worker, close } = await createProposalsWorker(config);
console.log(`proposals worker ${config.identity} on queue "${config.proposalsQueue}"`);
await worker.run();
await close();
