import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { migrate } from '../prisma/src/migrate';
import { createServiceFromConfig } from '../orchestrator/src/service-impl';
import { DEFAULT_COMPUTE_QUEUE, DEFAULT_ORCHESTRATOR_QUEUE } from '../core/src/contracts/compute';
import { devStackSettings } from './stack/dev-env';
import { startPostgres, stopPostgres } from './stack/postgres';
import { startTemporal } from './stack/temporal';
import { startProcess, stopProcess, waitFor, type ManagedProcess } from './stack/processes';
import { buildWebIfStale, startWeb } from './stack/web';

/**
 * The embedded stack on one machine: Postgres and the Temporal dev server with their data under
 * .data/, one orchestrator worker, one compute worker, the dashboard; then a demo study.
 * Ctrl-C stops everything (Postgres last); running it again reuses the data.
 */
const s = devStackSettings();
const runDir = join(s.dataDir, 'run');
const logDir = join(s.dataDir, 'logs');
mkdirSync(runDir, { recursive: true });
const say = (line: string) => console.log(`\x1b[1;32m[stepwise]\x1b[0m ${line}`);
const children: ManagedProcess[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping...');
    for (const p of [...children].reverse()) await stopProcess(p);
    stopPostgres(join(s.dataDir, 'pg'));
    writeFileSync(join(runDir, 'pids.json'), '[]');
    say('stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function recordPids(): void {
  writeFileSync(join(runDir, 'pids.json'), JSON.stringify(children.map((c) => ({ name: c.name, pid: c.child.pid }))));
}

function watch(p: ManagedProcess): ManagedProcess {
  children.push(p);
  recordPids();
  void p.exited.then((code) => {
    if (!stopping) {
      say(`${p.name} exited (${code}); see ${join(logDir, p.name + '.log')}. Stopping the stack.`);
      void shutdown(1);
    }
  });
  return p;
}

try {
  say(`Postgres on 127.0.0.1:${s.pgPort} (data in ${join(s.dataDir, 'pg')})`);
  await startPostgres({ dataDir: join(s.dataDir, 'pg'), port: s.pgPort, database: 'stepwise' });
  const m = await migrate(s.databaseUrl);
  say(`migrations: ${m.applied.length} applied, ${m.alreadyApplied.length} already in place`);

  say(`Temporal dev server on ${s.temporalAddress} (UI :${s.temporalUiPort})`);
  const temporal = await startTemporal({
    port: s.temporalPort, uiPort: s.temporalUiPort, dbFile: join(s.dataDir, 'temporal.db'), logFile: join(logDir, 'temporal.log'),
  });
  if (temporal) watch(temporal);

  const env = {
    DATABASE_URL: s.databaseUrl,
    TEMPORAL_ADDRESS: s.temporalAddress,
    STEPWISE_ORCHESTRATOR_QUEUE: process.env.STEPWISE_ORCHESTRATOR_QUEUE ?? DEFAULT_ORCHESTRATOR_QUEUE,
    STEPWISE_TASK_QUEUE: process.env.STEPWISE_TASK_QUEUE ?? DEFAULT_COMPUTE_QUEUE,
    STEPWISE_MODEL_DIR: process.env.STEPWISE_MODEL_DIR ?? join(s.dataDir, 'models'),
    // The example program (examples/train_tiny.py) is allowlisted out of the box.
    STEPWISE_COMMANDS_FILE: process.env.STEPWISE_COMMANDS_FILE ?? 'examples/commands.json',
  };
  const worker = (name: string, script: string, ready: RegExp) => {
    let out = '';
    const p = watch(startProcess(name, process.execPath, ['--import', 'tsx', script], { env, logFile: join(logDir, `${name}.log`) }));
    p.child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    return waitFor(`${name} to start`, async () => ready.test(out), 120_000);
  };
  say('orchestrator and compute workers');
  await Promise.all([
    worker('orchestrator', 'orchestrator/src/main.ts', /on queue/),
    worker('compute', 'workers/src/main.ts', /on queue/),
  ]);

  buildWebIfStale(say);
  watch(await startWeb(s.webPort, env, join(logDir, 'web.log')));

  const { service, close } = await createServiceFromConfig({
    temporalAddress: s.temporalAddress, namespace: 'default', databaseUrl: s.databaseUrl,
    taskQueue: env.STEPWISE_ORCHESTRATOR_QUEUE, computeQueue: env.STEPWISE_TASK_QUEUE, identity: 'stepwise-up',
  });
  if (!process.argv.includes('--no-demo')) {
    const demo = YAML.parse(readFileSync(resolve('examples/branin-random.yaml'), 'utf8'));
    const study = await service.launchStudy({ config: demo, source: 'client' });
    say(`demo study "${study.name}" launched: http://127.0.0.1:${s.webPort}/studies/${study.id}`);
  }
  await close();
  say(`dashboard   http://127.0.0.1:${s.webPort}`);
  say(`Temporal UI http://127.0.0.1:${s.temporalUiPort}`);
  say(`DATABASE_URL=${s.databaseUrl}`);
  say('logs in ' + logDir + '; Ctrl-C (or `npm run down`) stops everything');
} catch (err) {
  console.error(err);
  await shutdown(1);
}
