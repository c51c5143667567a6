import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runChecked, startProcess, waitFor, type ManagedProcess } from './processes';

const WEB_DIR = 'web';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.next') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** `next build` unless the last build is newer than every source file it depends on. */
export function buildWebIfStale(log: (line: string) => void = () => {}): void {
  const buildId = join(WEB_DIR, '.next', 'BUILD_ID');
  const sources = Math.max(...[WEB_DIR, 'core/src', 'orchestrator/src', 'prisma/src'].map(newestMtime));
  if (existsSync(buildId) && statSync(buildId).mtimeMs > sources) return;
  log('building the dashboard (next build)...');
  runChecked('npx', ['next', 'build'], { cwd: WEB_DIR, env: { NEXT_TELEMETRY_DISABLED: '1' } });
}

export async function startWeb(port: number, env: NodeJS.ProcessEnv, logFile?: string): Promise<ManagedProcess> {
  const proc = startProcess('web', process.execPath, [createRequire(import.meta.url).resolve('next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: WEB_DIR,
    env: { NEXT_TELEMETRY_DISABLED: '1', ...env },
    logFile,
  });
  await waitFor(`dashboard on :${port}`, async () => (await fetch(`http://127.0.0.1:${port}/api/health`)).ok, 120_000, 500);
  return proc;
}
