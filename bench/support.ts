import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../prisma/src/migrate';
import { recreateDatabase, startPostgres, stopPostgres } from '../infra/stack/postgres';
import { startTemporal } from '../infra/stack/temporal';
import { startProcess, stopProcess, waitFor, type ManagedProcess } from '../infra/stack/processes';
import { createServiceFromConfig } from '../service/src/index';
import type { StepwiseService } from '../service/src/service-types';

export { quantile, Results } from './results';

export interface BenchStack {
  service: StepwiseService;
  databaseUrl: string;
  temporalAddress: string;
  stop: () => Promise<void>;
}

/**
 * A private stack for one benchmark, configured like the embedded default (durable Postgres,
 * Temporal dev server with its SQLite file), on ports of its own.
 */
export async function startBenchStack(name: string, opts: { computeWorkers?: number } = {}): Promise<BenchStack> {
  const dir = join('.data', 'bench', name);
  rmSync(join(dir, 'temporal.db'), { force: true });
  const pg = { dataDir: join('.data', 'bench', 'pg'), port: 54349, database: `bench_${name}` };
  await startPostgres(pg);
  const databaseUrl = await recreateDatabase(pg);
  await migrate(databaseUrl);
  const temporalPort = 7263;
  const temporal = await startTemporal({ port: temporalPort, uiPort: 8263, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log') });
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    STEPWISE_ORCHESTRATOR_QUEUE: `bench-${name}-orchestrator`,
    STEPWISE_TASK_QUEUE: `bench-${name}-compute`,
    STEPWISE_PROPOSALS_QUEUE: `bench-${name}-proposals`,
  };
  const procs: ManagedProcess[] = [];
  const start = async (label: string, script: string) => {
    let out = '';
    const p = startProcess(label, process.execPath, ['--import', 'tsx', script], { env, logFile: join(dir, `${label}.log`) });
    p.child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    procs.push(p);
    await waitFor(`${label} to start`, async () => /on queue/.test(out), 120_000);
  };
  await start('orchestrator', 'orchestrator/src/main.ts');
  await start('proposals', 'orchestrator/src/proposals-main.ts');
  for (let i = 0; i < (opts.computeWorkers ?? 1); i++) await start(`compute-${i}`, 'workers/src/main.ts');
  const { service, close } = await createServiceFromConfig({
    temporalAddress: env.TEMPORAL_ADDRESS, namespace: 'default', databaseUrl,
    taskQueue: env.STEPWISE_ORCHESTRATOR_QUEUE, computeQueue: env.STEPWISE_TASK_QUEUE, proposalsQueue: env.STEPWISE_PROPOSALS_QUEUE,
  });
  return {
    service,
    databaseUrl,
    temporalAddress: env.TEMPORAL_ADDRESS,
    stop: async () => {
      await close();
      for (const p of procs.reverse()) await stopProcess(p);
      if (temporal) await stopProcess(temporal);
      // A benchmark leaves nothing running (the next one starts the cluster again in about a second).
      stopPostgres(pg.dataDir);
    },
  };
}
