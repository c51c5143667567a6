import { spawn } from 'node:child_process';
import os from 'node:os';
import { BO_METHODS, runOptimizer, TEST_FUNCTIONS, type BoMethod, type TestFunctionName } from '../core/src/index';
import { quantile, Results } from './results';

/**
 * Optimizer comparison on standard test functions: final simple regret (median and IQR over
 * seeds) per function and method, and GP proposal latency at 50/100/200 observations in 6-D.
 * Runs are spread over one process per core; every number is measured in this run.
 */
const FUNCTIONS: Array<{ name: TestFunctionName; dim: number; label: string }> = [
  { name: 'branin', dim: 2, label: 'branin' },
  { name: 'hartmann3', dim: 3, label: 'hartmann3' },
  { name: 'hartmann6', dim: 6, label: 'hartmann6' },
  { name: 'ackley', dim: 5, label: 'ackley5' },
  { name: 'levy', dim: 4, label: 'levy4' },
  { name: 'styblinski_tang', dim: 4, label: 'styblinski_tang4' },
];
const METHODS: Array<{ label: string; method: BoMethod; batch: number }> = [
  { label: 'random', method: 'random', batch: 1 },
  { label: 'sobol', method: 'sobol', batch: 1 },
  { label: 'tpe', method: 'tpe', batch: 1 },
  { label: 'gp-logei', method: 'gp-logei', batch: 1 },
  { label: 'gp-ucb', method: 'gp-ucb', batch: 1 },
  { label: 'ibnn-logei', method: 'ibnn-logei', batch: 1 },
  { label: 'gp-logei-batch4', method: 'gp-logei', batch: 4 },
];
const BUDGET = 50;
const INITIAL = 10;
const SEEDS = Number(process.env.BO_BENCH_SEEDS ?? 20);

interface Job { kind: 'regret'; fn: number; method: number; seed: number }
interface LatencyJob { kind: 'latency'; seed: number }
type AnyJob = Job | LatencyJob;

function runJob(job: AnyJob): unknown {
  if (job.kind === 'latency') {
    const fn = TEST_FUNCTIONS.hartmann6;
    const r = runOptimizer({ fn, dim: 6, method: 'gp-logei', budget: 201, initial: INITIAL, batch: 1, seed: 1000 + job.seed });
    return { kind: 'latency', obs: r.proposalObservations, ms: r.proposalMs };
  }
  const f = FUNCTIONS[job.fn];
  const m = METHODS[job.method];
  const fn = TEST_FUNCTIONS[f.name];
  const r = runOptimizer({ fn, dim: f.dim, method: m.method, budget: BUDGET, initial: INITIAL, batch: m.batch, seed: job.seed });
  return { kind: 'regret', fn: job.fn, method: job.method, regret: r.bestValues.at(-1)! - fn.optimum(f.dim) };
}

const shardArg = process.argv.find((a) => a.startsWith('--shard='));
const jobs: AnyJob[] = [];
for (let fn = 0; fn < FUNCTIONS.length; fn++) for (let method = 0; method < METHODS.length; method++) for (let seed = 0; seed < SEEDS; seed++) jobs.push({ kind: 'regret', fn, method, seed });

if (shardArg) {
  const [i, n] = shardArg.slice('--shard='.length).split('/').map(Number);
  for (let j = i; j < jobs.length; j += n) process.stdout.write(JSON.stringify(runJob(jobs[j])) + '\n');
  process.exit(0);
}

// Latency first, alone in this process: timing it beside the regret shards would measure the
// contention, not the proposal.
const latencyRecords = [0, 1, 2].map((seed) => runJob({ kind: 'latency', seed }) as { kind: 'latency'; obs: number[]; ms: number[] });
const shards = Math.max(1, Number(process.env.BO_BENCH_PROCS ?? os.cpus().length));
const outputs = await Promise.all(
  Array.from({ length: shards }, (_, i) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bo.ts', `--shard=${i}/${shards}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`bo bench shard ${i} exited ${code}`))));
    }),
  ),
);
const records = outputs.flatMap((o) => o.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));

const results = new Results('bo');
const regrets = new Map<string, number[]>();
for (const r of records.filter((r) => r.kind === 'regret')) {
  const key = `${r.fn}/${r.method}`;
  regrets.set(key, [...(regrets.get(key) ?? []), Math.max(0, r.regret)]);
}
const medians: Record<string, Record<string, number>> = {};
FUNCTIONS.forEach((f, fi) => {
  medians[f.label] = {};
  METHODS.forEach((m, mi) => {
    const v = (regrets.get(`${fi}/${mi}`) ?? []).sort((a, b) => a - b);
    const median = quantile(v, 0.5);
    medians[f.label][m.label] = median;
    results.add({ figure: 'final_regret', function: f.label, dim: f.dim, method: m.label, median, iqr: [quantile(v, 0.25), quantile(v, 0.75)], seeds: v.length, budget: BUDGET, initial: INITIAL });
  });
});
const latency = latencyRecords;
for (const n of [50, 100, 200]) {
  const ms = latency.flatMap((r) => r.obs.map((o: number, i: number) => (Math.abs(o - n) <= 5 ? r.ms[i] : null)).filter((x: number | null) => x !== null)).sort((a: number, b: number) => a - b);
  results.add({ figure: 'proposal_ms_p50', observations: n, dim: 6, method: 'gp-logei', value: +quantile(ms, 0.5).toFixed(1), samples: ms.length, target: n === 200 ? '<= 250' : undefined });
}
const ratio = (fn: string, other: string) => medians[fn][other] / Math.max(medians[fn]['gp-logei'], 1e-12);
results.add({ figure: 'gp_vs_random', branin: +ratio('branin', 'random').toFixed(1), hartmann6: +ratio('hartmann6', 'random').toFixed(1), target: '>= 10 on both' });
const beatsTpe = FUNCTIONS.filter((f) => medians[f.label]['gp-logei'] < medians[f.label]['tpe']).map((f) => f.label);
results.add({ figure: 'gp_beats_tpe', count: beatsTpe.length, functions: beatsTpe, target: '>= 4 of 6' });
results.save({ seeds: SEEDS, budget: BUDGET, initial: INITIAL });
