import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { waitFor } from '../infra/stack/processes';
import { nextRestartDelay } from '../infra/stack/supervisor';
import { entryFor, isSameProcess, processIdentity, readPidFile, stopEntry, stopRecorded, type PidEntry } from '../infra/stack/pidfile';
import { TEST_ENV } from './support/env';

/**
 * `npm run up` supervises: a compute worker that dies is started again (with a log line) while the
 * rest of the stack stays up, and `npm run down` stops it all, signalling only processes that are
 * still the ones the stack recorded.
 */

const sleeper = () => {
  const c = spawn('sleep', ['120'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => c.on('exit', () => r()));
  return { c, exited, entry: entryFor('sleeper', c.pid)! };
};
const alive = (e: PidEntry) => processIdentity(e.pid) === e.identity;

describe('restart backoff', () => {
  it('doubles from 1 s up to 30 s while a child keeps failing, and starts over after a minute up', () => {
    const delays: number[] = [];
    let d: number | null = null;
    for (let i = 0; i < 7; i++) delays.push((d = nextRestartDelay(d, 2_000)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(nextRestartDelay(30_000, 60_000)).toBe(1000);
  });
});

describe('pid file', () => {
  it('leaves a pid alone whose start time does not match the one recorded, and stops it when it does', async () => {
    const s = sleeper();
    expect(s.entry.identity).toMatch(/:\d+$/);
    const reused = { ...s.entry, identity: s.entry.identity.replace(/:(\d+)$/, (_, t: string) => `:${Number(t) + 1}`) };
    expect(isSameProcess(reused)).toBe(false);
    expect(await stopEntry(reused)).toBe('not ours');
    expect(alive(s.entry)).toBe(true);

    expect(await stopEntry(s.entry)).toBe('stopped');
    await s.exited;
    expect(s.c.signalCode).toBe('SIGTERM');
  });

  it('never signals entries of an older pid file that recorded no start time', async () => {
    const s = sleeper();
    const dir = join(dirname(TEST_ENV.pgDataDir), 'pidfile-test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pids.json'), JSON.stringify([{ name: 'sleeper', pid: s.c.pid }]));
    const lines = await stopRecorded(readPidFile(join(dir, 'pids.json')));
    expect(lines).toEqual([`sleeper (pid ${s.c.pid}): pid now belongs to another process; left alone`]);
    expect(alive(s.entry)).toBe(true);
    s.c.kill('SIGKILL');
    await s.exited;
  });
});

describe('npm run up', () => {
  const dataDir = join(dirname(TEST_ENV.pgDataDir), 'supervisor');
  const pidFile = join(dataDir, 'run', 'pids.json');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STEPWISE_DATA_DIR: dataDir,
    STEPWISE_PG_PORT: String(TEST_ENV.pgPort + 50),
    STEPWISE_TEMPORAL_PORT: String(TEST_ENV.temporalPort + 50),
    STEPWISE_TEMPORAL_UI_PORT: String(TEST_ENV.temporalPort + 1050),
    STEPWISE_WEB_PORT: String(TEST_ENV.webPort + 50),
  };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  let up: ChildProcess | null = null;
  let upExited: Promise<number | null> = Promise.resolve(null);

  afterAll(async () => {
    // Whatever happened above, leave nothing running.
    spawnSync(process.execPath, ['--import', 'tsx', 'infra/down.ts'], { env, stdio: 'ignore' });
    if (up && up.exitCode === null) up.kill('SIGKILL');
  });

  it('restarts a killed compute worker while the rest keeps running, restarts Temporal on its SQLite file, and stops on `down`', async () => {
    let out = '';
    up = spawn(process.execPath, ['--import', 'tsx', 'infra/up.ts', '--no-demo', '--no-web'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    upExited = new Promise((r) => up!.on('exit', (code) => r(code)));
    up.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    up.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the stack to come up', async () => {
      if (up!.exitCode !== null) throw new Error(`infra/up.ts exited (${up!.exitCode}):\n${out}`);
      return out.includes('Ctrl-C (or `npm run down`) stops everything');
    }, 200_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}\n--- output of infra/up.ts ---\n${out}`);
    });

    const before = readPidFile(pidFile);
    expect(before.supervisor?.pid).toBe(up.pid);
    expect(before.children.map((c) => c.name).sort()).toEqual(['compute', 'orchestrator', 'postgres', 'proposals', 'temporal']);
    const compute = before.children.find((c) => c.name === 'compute')!;
    process.kill(compute.pid, 'SIGKILL');

    await waitFor('the restart log line', async () => /compute exited \(signal SIGKILL\); restarting in 1s \(see .*compute\.log\)/.test(out), 30_000);
    await waitFor('a new compute worker', async () => {
      const now = readPidFile(pidFile).children.find((c) => c.name === 'compute');
      return !!now && now.pid !== compute.pid && alive(now) && out.includes('compute is running again');
    }, 120_000, 500);
    expect(up.exitCode).toBeNull();
    for (const c of before.children.filter((c) => c.name !== 'compute')) expect(alive(c), `${c.name} kept running`).toBe(true);

    // Temporal restarts on the same SQLite file: a workflow started before the crash is still there.
    const address = `127.0.0.1:${env.STEPWISE_TEMPORAL_PORT}`;
    const workflowId = `supervisor-test-${Date.now()}`;
    const connection = await Connection.connect({ address });
    await new Client({ connection }).workflow.start('neverPolled', { taskQueue: 'supervisor-test-nobody', workflowId });
    await connection.close();
    const temporal = before.children.find((c) => c.name === 'temporal')!;
    process.kill(temporal.pid, 'SIGKILL');
    await waitFor('Temporal to be restarted', async () => out.includes('temporal is running again'), 120_000, 500);
    const again = await Connection.connect({ address });
    const described = await new Client({ connection: again }).workflow.getHandle(workflowId).describe();
    await again.close();
    expect(described.status.name).toBe('RUNNING');

    const after = readPidFile(pidFile);

    const down = spawnSync(process.execPath, ['--import', 'tsx', 'infra/down.ts'], { env, encoding: 'utf8', timeout: 180_000 });
    expect(down.status, down.stderr).toBe(0);
    expect(down.stdout).toContain(`supervisor (pid ${up.pid}): stopped`);
    expect(await upExited).toBe(0);
    for (const c of after.children) expect(alive(c), `${c.name} stopped`).toBe(false);
    expect(readPidFile(pidFile)).toEqual({ supervisor: null, children: [] });
  });
});
