import { chromium, type Browser } from 'playwright-core';
import { buildWebIfStale, startWeb } from '../../infra/stack/web';
import type { ManagedProcess } from '../../infra/stack/processes';
import type { WorkerEnv } from './workers';

/** The real dashboard (`next start` on a production build) wired to the test services. */
export async function startTestWeb(w: WorkerEnv, port: number, extraEnv: Record<string, string> = {}): Promise<ManagedProcess> {
  buildWebIfStale();
  return startWeb(port, {
    DATABASE_URL: w.databaseUrl,
    TEMPORAL_ADDRESS: w.temporalAddress,
    STEPWISE_ORCHESTRATOR_QUEUE: w.orchestratorQueue,
    STEPWISE_TASK_QUEUE: w.computeQueue,
    ...extraEnv,
  }, `.data/test/logs/web-${port}.log`);
}

/** Debian's Chromium, headless, with the flags this sandbox needs (DESIGN.md section 11). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}
