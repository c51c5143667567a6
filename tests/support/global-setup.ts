import type { TestProject } from 'vitest/node';
import { migrate } from '../../prisma/src/migrate';
import { recreateDatabase, startPostgres } from '../../infra/stack/postgres';
import { startTemporal } from '../../infra/stack/temporal';
import { stopProcess, type ManagedProcess } from '../../infra/stack/processes';
import { TEST_ENV } from './env';

/**
 * Starts the real services the integration tests use: a throwaway Postgres cluster under
 * .data/test and an in-memory Temporal dev server. Each test file starts its own worker
 * processes (tests/support/workers.ts) so it can kill them.
 */
let temporal: ManagedProcess | null = null;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = { dataDir: TEST_ENV.pgDataDir, port: TEST_ENV.pgPort, database: 'stepwise_test', unsafeFast: true };
  await startPostgres(pg);
  const databaseUrl = await recreateDatabase(pg);
  await migrate(databaseUrl);
  temporal = await startTemporal({ port: TEST_ENV.temporalPort, uiPort: TEST_ENV.temporalPort + 1000, logFile: '.data/test/temporal.log' });
  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', `127.0.0.1:${TEST_ENV.temporalPort}`);
  return async () => {
    if (temporal) await stopProcess(temporal);
    // The Postgres cluster is left running between runs (fast reruns); `npm run down` stops it.
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
  }
}
