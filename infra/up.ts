import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { migrate } from '../prisma/src/migrate';
import { createServiceFromConfig } from '../service/src/index';
import { DEFAULT_COMPUTE_QUEUE, DEFAULT_ORCHESTRATOR_QUEUE, DEFAULT_PROPOSALS_QUEUE } from '../core/src/contracts/compute';
import { devStackSettings } from './stack/dev-env';
import { startPostgresChild } from './stack/postgres';
import { findTemporal, temporalHealthy } from './stack/temporal';
import { portOpen, startProcess } from './stack/processes';
import { buildWebIfStaleWithProgress, startWeb } from './stack/web';
import { entryFor, isSameProcess, readPidFile, stopRecorded, writePidFile } from './stack/pidfile';
import { readyOrExit, Supervisor, type Spawned } from './stack/supervisor';

/**
 * The embedded stack on one machine, supervised: Postgres and the Temporal dev server with their
 * data under the data directory, one orchestrator worker, one compute worker, the dashboard; then
 * a demo study. A child that dies is started again with backoff (see stack/supervisor.ts); only
 * Ctrl-C or `npm run down` stops the stack (Postgres last). Running it again reuses the data.
 *
 *   --no-demo  do not launch the demo study
 *   --no-web   do not start the dashboard (e.g. when running `next dev` yourself)
 */
const s = devStackSettings();
const runDir = join(s.dataDir, 'run');
const logDir = join(s.dataDir, 'logs');
const pidFile = join(runDir, 'pids.json');
mkdirSync(runDir, { recursive: true });
const say = (line: string) => console.log(`\x1b[1;32m[stepwise]\x1b[0m ${line}`);
const log = (name: string) => join(logDir, `${name}.log`);
const self = entryFor('supervisor', process.pid);

// A stack already running on this data directory is left alone; what a killed one left behind is stopped.
const previous = readPidFile(pidFile);
if (previous.supervisor && isSameProcess(previous.supervisor)) {
  say(`a stack is already running on ${s.dataDir} (supervisor pid ${previous.supervisor.pid}); \`npm run down\` stops it`);
  process.exit(1);
}
for (const line of await stopRecorded({ supervisor: null, children: previous.children })) say(`left over from an earlier run: ${line}`);

const supervisor = new Supervisor(say, (procs) => {
  const children = procs.flatMap((p) => {
    const e = entryFor(p.name, p.proc.child.pid, p.stopSignal);
    return e ? [e] : [];
  });
  writePidFile(pidFile, { supervisor: self, children });
});
writePidFile(pidFile, { supervisor: self, children: [] });

let stopping = false;
async function shutdown(code: number, why: string): Promise<never> {
  if (!stopping) {
    stopping = true;
    // Said plainly, so that a log ending here reads as a requested stop, not a crash.
    say(`stopping (${why}): web, workers, Temporal, then Postgres...`);
    await supervisor.stop();
    writePidFile(pidFile, { supervisor: null, children: [] });
    say(code === 0 ? 'stopped cleanly; `npm run up` starts it again with the same data' : 'stopped after the error above');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0, 'Ctrl-C'));
process.on('SIGTERM', () => void shutdown(0, 'npm run down, or SIGTERM'));
process.on('SIGHUP', () => void shutdown(0, 'the terminal closed'));

const env = {
  DATABASE_URL: s.databaseUrl,
  TEMPORAL_ADDRESS: s.temporalAddress,
  STEPWISE_ORCHESTRATOR_QUEUE: process.env.STEPWISE_ORCHESTRATOR_QUEUE ?? DEFAULT_ORCHESTRATOR_QUEUE,
  STEPWISE_TASK_QUEUE: process.env.STEPWISE_TASK_QUEUE ?? DEFAULT_COMPUTE_QUEUE,
  STEPWISE_PROPOSALS_QUEUE: process.env.STEPWISE_PROPOSALS_QUEUE ?? DEFAULT_PROPOSALS_QUEUE,
  STEPWISE_MODEL_DIR: process.env.STEPWISE_MODEL_DIR ?? join(s.dataDir, 'models'),
  // The example program (examples/train_tiny.py) is allowlisted out of the box.
  STEPWISE_COMMANDS_FILE: process.env.STEPWISE_COMMANDS_FILE ?? 'examples/commands.json',
};

/** A Node worker, ready once it prints that it polls its queue. */
const worker = (name: string, script: string) => ({
  name,
  logFile: log(name),
  start: async (spawned: Spawned) => {
    let out = '';
    const p = startProcess(name, process.execPath, ['--import', 'tsx', script], { env, logFile: log(name), detached: true });
    p.child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
    spawned(p);
    return readyOrExit(p, `${name} to start`, () => /on queue/.test(out));
  },
});

try {
  say(`Postgres on 127.0.0.1:${s.pgPort} (data in ${join(s.dataDir, 'pg')})`);
  const pg = { dataDir: join(s.dataDir, 'pg'), port: s.pgPort, database: 'stepwise' };
  await supervisor.add({ name: 'postgres', logFile: log('postgres'), stopSignal: 'SIGINT', start: (spawned) => startPostgresChild(pg, log('postgres'), spawned) });
  const m = await migrate(s.databaseUrl);
  say(`migrations: ${m.applied.length} applied, ${m.alreadyApplied.length} already in place`);

  say(`Temporal dev server on ${s.temporalAddress} (UI :${s.temporalUiPort})`);
  if (await portOpen(s.temporalPort)) throw new Error(`port ${s.temporalPort} is taken (a Temporal server from another stack?): stop it, or set STEPWISE_TEMPORAL_PORT`);
  const temporalDb = resolve(join(s.dataDir, 'temporal.db'));
  await supervisor.add({
    name: 'temporal',
    logFile: log('temporal'),
    start: async (spawned) => {
      // Every start uses the same SQLite file: a restart keeps namespaces, workflows and history.
      const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(s.temporalPort), '--ui-port', String(s.temporalUiPort),
        '--namespace', 'default', '--log-level', 'warn', '--db-filename', temporalDb];
      const p = startProcess('temporal', findTemporal(), args, { logFile: log('temporal'), detached: true });
      spawned(p);
      return readyOrExit(p, `Temporal at ${s.temporalAddress}`, () => temporalHealthy(s.temporalAddress), 90_000);
    },
  });

  say('orchestrator, proposals and compute workers');
  await Promise.all([
    supervisor.add(worker('orchestrator', 'orchestrator/src/main.ts')),
    supervisor.add(worker('proposals', 'orchestrator/src/proposals-main.ts')),
    supervisor.add(worker('compute', 'workers/src/main.ts')),
  ]);

  if (!process.argv.includes('--no-web')) {
    await buildWebIfStaleWithProgress(say);
    await supervisor.add({
      name: 'web',
      logFile: log('web'),
      start: (spawned) => startWeb(s.webPort, env, log('web'), { spawned, detached: true }),
    });
  }

  const { service, close } = await createServiceFromConfig({
    temporalAddress: s.temporalAddress, namespace: 'default', databaseUrl: s.databaseUrl,
    taskQueue: env.STEPWISE_ORCHESTRATOR_QUEUE, computeQueue: env.STEPWISE_TASK_QUEUE, proposalsQueue: env.STEPWISE_PROPOSALS_QUEUE,
  });
  if (!process.argv.includes('--no-demo')) {
    // One demo study per data directory: a later `up` points at the one already there.
    const demo = YAML.parse(readFileSync(resolve('examples/branin-random.yaml'), 'utf8'));
    const existing = (await service.listStudies({ limit: 200 })).items.find((x) => x.name === demo.name);
    if (existing) say(`demo study "${existing.name}" (${existing.status}): http://127.0.0.1:${s.webPort}/studies/${existing.id}  (--no-demo skips it)`);
    else {
      const study = await service.launchStudy({ config: demo, source: 'client' });
      say(`demo study "${study.name}" launched: http://127.0.0.1:${s.webPort}/studies/${study.id}  (--no-demo skips it)`);
    }
  }
  await close();
  if (!process.argv.includes('--no-web')) say(`dashboard   http://127.0.0.1:${s.webPort}`);
  say(`Temporal UI http://127.0.0.1:${s.temporalUiPort}`);
  say(`DATABASE_URL=${s.databaseUrl}`);
  say('logs in ' + logDir + '; a process that exits is restarted; Ctrl-C (or `npm run down`) stops everything');
} catch (err) {
  console.error(err);
  await shutdown(1, 'start-up failed');
}
