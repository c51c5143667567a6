import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { waitFor, stopProcess } from '../infra/stack/processes';
import { buildWebIfStale, startWeb } from '../infra/stack/web';
import { quantile, Results, startBenchStack } from './support';

/**
 * Start-up cost of the `stepwise` CLI against a bare `node -e 0`. Figures:
 *  - node_ms, version_ms, ls_json_ms: median wall time of one invocation (N runs each, interleaved)
 *  - version_ratio, ls_json_ratio: the same over node_ms (target <= 3)
 *  - *_cpu_ms: CPU (user + system) per invocation, from the children's times the kernel reports
 *  - version_from_source_ms: `stepwise --version` through tsx (the unbuilt sources), for comparison
 *  - ls_concurrent_50: 50 `stepwise ls --json` at once; all must succeed
 * The CLI is built just before and run with STEPWISE_CLI_FROM=dist (the shipped bundle, whatever
 * the tree's edits meanwhile). `ls --json` runs against the real dashboard/API (`next start`) on a private stack with one small
 * completed study, so its figure includes the HTTP round trip and the Postgres read.
 */
const RUNS = Number(process.env.STEPWISE_BENCH_CLI_RUNS ?? 30);
const WEB_PORT = 3263;
const results = new Results('cli');
const loadAtStart = loadavg()[0];
const bin = 'client/bin/stepwise.mjs';

/** A fresh build of the CLI; measured with STEPWISE_CLI_FROM=dist, so an edit elsewhere in the tree meanwhile cannot switch the launcher to the sources. */
function buildCli(): void {
  const build = spawnSync(process.execPath, ['client/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('client/build.mjs failed');
}

/** Children's user + system CPU in ms so far (fields 16 and 17 of /proc/self/stat; Linux only). */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): cutime is field 16, cstime field 17; clock ticks are 100 Hz on Linux.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

interface Timing { wallMs: number[]; cpuMs: number }

function runOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

/** Runs each command `runs` times, interleaved so that drift in machine load hits all alike. */
function measure(commands: Record<string, string[]>, runs: number, env: NodeJS.ProcessEnv = {}): Record<string, Timing> {
  const out: Record<string, Timing> = {};
  for (const name of Object.keys(commands)) out[name] = { wallMs: [], cpuMs: 0 };
  for (const args of Object.values(commands)) runOnce(args, env); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const before = childCpuMs();
      out[name].wallMs.push(runOnce(args, env));
      const after = childCpuMs();
      out[name].cpuMs += before !== null && after !== null ? after - before : NaN;
    }
  }
  return out;
}

const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
const r1 = (x: number) => +x.toFixed(1);

const stack = await startBenchStack('cli', { computeWorkers: 1 });
let web: Awaited<ReturnType<typeof startWeb>> | null = null;
try {
  const study = await stack.service.launchStudy({
    config: { name: 'bench cli', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 8, parallel: 4 }, seed: 1 },
    source: 'client',
  });
  await waitFor('the bench study', async () => (await stack.service.getStudy(study.id)).status === 'completed', 120_000, 200);
  buildWebIfStale((line) => console.error(line));
  web = await startWeb(WEB_PORT, {
    DATABASE_URL: stack.databaseUrl,
    TEMPORAL_ADDRESS: '127.0.0.1:7263',
    STEPWISE_ORCHESTRATOR_QUEUE: 'bench-cli-orchestrator',
    STEPWISE_TASK_QUEUE: 'bench-cli-compute',
  }, join('.data', 'bench', 'cli', 'web.log'));
  const env = { STEPWISE_URL: `http://127.0.0.1:${WEB_PORT}`, STEPWISE_API_TOKEN: '' };
  buildCli();
  const dist = { ...env, STEPWISE_CLI_FROM: 'dist' };

  const listed = JSON.parse(spawnSync(process.execPath, [bin, 'ls', '--json'], { env: { ...process.env, ...dist }, encoding: 'utf8' }).stdout) as unknown[];
  if (!Array.isArray(listed) || listed.length === 0) throw new Error('`stepwise ls --json` listed no study');

  const t = measure({ node: ['-e', '0'], version: [bin, '--version'], ls_json: [bin, 'ls', '--json'] }, RUNS, dist);
  const nodeMs = median(t.node.wallMs);
  const base = { runs: RUNS, parallelism: availableParallelism() };
  results.add({ figure: 'node_ms', ...base, value: r1(nodeMs), cpu_ms: r1(t.node.cpuMs / RUNS) });
  for (const name of ['version', 'ls_json'] as const) {
    const ms = median(t[name].wallMs);
    results.add({ figure: `${name}_ms`, ...base, value: r1(ms), p90_ms: r1(quantile([...t[name].wallMs].sort((a, b) => a - b), 0.9)) });
    results.add({ figure: `${name}_cpu_ms`, ...base, value: r1(t[name].cpuMs / RUNS) });
    // The CPU ratio beside it: on a loaded machine wall times stretch, CPU seconds much less.
    results.add({ figure: `${name}_ratio`, ...base, value: +(ms / nodeMs).toFixed(2), target: '<= 3', cpu_ratio: +(t[name].cpuMs / t.node.cpuMs).toFixed(2) });
  }

  const fromSource = measure({ version: [bin, '--version'] }, 5, { STEPWISE_CLI_FROM: 'source' });
  results.add({ figure: 'version_from_source_ms', runs: 5, parallelism: availableParallelism(), value: r1(median(fromSource.version.wallMs)), cpu_ms: r1(fromSource.version.cpuMs / 5) });

  // The failure: 50 concurrent `stepwise ls` timed out. All 50 must now come back.
  const t0 = performance.now();
  const codes = await Promise.all(Array.from({ length: 50 }, () => new Promise<number>((resolve) => {
    const c = spawn(process.execPath, [bin, 'ls', '--json'], { env: { ...process.env, ...dist }, stdio: 'ignore' });
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('exit', (code) => { clearTimeout(timer); resolve(code ?? -1); });
  })));
  results.add({
    figure: 'ls_concurrent_50', parallelism: availableParallelism(), value: r1(performance.now() - t0), unit: 'ms wall for all 50',
    succeeded: codes.filter((c) => c === 0).length,
  });
  // Other work on the machine stretches every figure: the load average says how much there was.
  results.save({ parallelism: availableParallelism(), loadavg_1m: { start: +loadAtStart.toFixed(2), end: +loadavg()[0].toFixed(2) } });
} finally {
  if (web) await stopProcess(web);
  await stack.stop();
}
