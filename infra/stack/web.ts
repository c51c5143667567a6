import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked, startProcess, stopProcess, type ManagedProcess } from './processes';

const WEB_DIR = 'web';
const WEB_START = fileURLToPath(new URL('../web-start.mjs', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.next') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function webBuildIsFresh(): boolean {
  const buildId = join(WEB_DIR, '.next', 'BUILD_ID');
  const sources = Math.max(...[WEB_DIR, 'core/src', 'orchestrator/src', 'prisma/src', 'service/src'].map(newestMtime));
  return existsSync(buildId) && statSync(buildId).mtimeMs > sources;
}

/** `next build` unless the last build is newer than every source file it depends on. */
export function buildWebIfStale(log: (line: string) => void = () => {}): void {
  if (webBuildIsFresh()) return;
  log('building the dashboard (next build)...');
  runChecked('npx', ['next', 'build'], { cwd: WEB_DIR, env: { NEXT_TELEMETRY_DISABLED: '1' } });
}

/**
 * The same for `npm run up`, which a person watches: the build takes minutes on a small machine,
 * so next's own step lines are passed on and a line every 20 s says it is still going.
 */
export async function buildWebIfStaleWithProgress(log: (line: string) => void): Promise<void> {
  if (webBuildIsFresh()) return;
  const started = Date.now();
  log('building the dashboard (next build; a few minutes the first time)...');
  const child = spawn('npx', ['next', 'build'], { cwd: WEB_DIR, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onLine = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    for (const raw of chunk.toString().split('\n')) {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trim();
      if (/^(✓|▲|Creating|Compiled|Linting|Collecting|Generating|Finalizing|Route|Failed)/.test(line)) log(`  next build: ${line}`);
    }
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', (c: Buffer) => (tail = (tail + c.toString()).slice(-4000)));
  const beat = setInterval(() => log(`  next build: still building (${Math.round((Date.now() - started) / 1000)} s)`), 20_000);
  const code: number | null = await new Promise((resolve) => child.on('close', resolve));
  clearInterval(beat);
  if (code !== 0) throw new Error(`next build failed (${code}): ${tail.trim().slice(-2000)}`);
  log(`dashboard built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * `next start` through infra/web-start.mjs, which refuses a non-loopback address without
 * STEPWISE_API_TOKEN. The address is STEPWISE_WEB_HOST (default 127.0.0.1), from `env` or ours.
 */
export async function startWeb(
  port: number,
  env: NodeJS.ProcessEnv,
  logFile?: string,
  opts: { spawned?: (p: ManagedProcess) => void; detached?: boolean } = {},
): Promise<ManagedProcess> {
  const host = env.STEPWISE_WEB_HOST ?? process.env.STEPWISE_WEB_HOST ?? '127.0.0.1';
  const proc = startProcess('web', process.execPath, [WEB_START, '-p', String(port), '-H', host], {
    env: { NEXT_TELEMETRY_DISABLED: '1', ...env },
    logFile,
    detached: opts.detached,
  });
  opts.spawned?.(proc);
  let stderr = '';
  proc.child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const probeHost = ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const deadline = Date.now() + 120_000;
  for (;;) {
    // A refusal (or a crash) ends the wait at once, with the reason, instead of after the timeout.
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`the web app exited (${proc.child.exitCode ?? proc.child.signalCode}) before it answered: ${stderr.trim() || 'see ' + (logFile ?? 'its log')}`);
    }
    try {
      if ((await fetch(`http://${probeHost}:${port}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc);
      throw new Error(`timed out after 120000 ms waiting for the dashboard on :${port}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return proc;
}
