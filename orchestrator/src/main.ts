import { Connection } from '@temporalio/client';
import { orchestratorConfigFromEnv } from './config';
import { startReconciler } from './reconcile';
import { createOrchestratorWorker } from './worker';

const config = orchestratorConfigFromEnv();
const { worker, db, close } = await createOrchestratorWorker(config);
const client = await Connection.connect({ address: config.temporalAddress });
const reconcileSeconds = Number(process.env.STEPWISE_RECONCILE_SECONDS ?? 30);
const stopReconciler = startReconciler(db, client, config, reconcileSeconds * 1000, (line) => console.log(line));
console.log(`orchestrator ${config.identity} on queue "${config.taskQueue}" (compute queue "${config.computeQueue}")`);
await worker.run();
stopReconciler();
await client.close();
await close();
