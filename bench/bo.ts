import { spawn } from 'node:child_process';
import os from 'node:os';
import { BRANIN_CURRIN, hypervolume, proposeBatch, proposeMultiObjective, proposeParEgo, runOptimizer, TEST_FUNCTIONS, type MoObservation, type BoMethod, type BoObservation, type BoState, type ProposeOptions, type TestFunctionName } from '../core/src/index';
import type { TSpace } from '../core/src/config/space';
import { setWasmLinalg } from '../core/src/bo/wasm/tri-solve';
import { quantile, Results } from './results';
import { addPruningFigures } from './bo-pruning';

/**
 * Optimizer comparison on standard test functions: final simple regret (median and IQR over
 * seeds) per function and method, with a one-sided Mann-Whitney U test behind every "beats"
 * claim, and GP proposal latency at 50/100/200 observations in 6-D, warm (the fit starts from the
 * previous call's hyperparameters, as in a running study) and cold (no state: a restarted worker).
 * Runs are spread over one process per core; every number is measured in this run. The "tpe"
 * baseline is Stepwise's own TPE (core/src/bo/tpe.ts, multivariate, 24 candidates), not Optuna's
 * TPESampler, which is stronger.
 * Ackley, Levy and Styblinski-Tang also run shifted (same box, minimiser moved off-centre, see
 * core/src/functions/test-functions.ts): `centre_bias` compares each method's regrets on the two
 * (two-sided Mann-Whitney U), so a method that profits from where an optimum sits shows up.
 * "ibnn-dot-logei" is the I-BNN with the classic dot-product input layer, kept to show that bias.
 * Imports nothing that needs the generated Prisma client, so it runs on a fresh clone.
 */
const FUNCTIONS: Array<{ name: TestFunctionName; dim: number; label: string }> = [
  { name: 'branin', dim: 2, label: 'branin' },
  { name: 'hartmann3', dim: 3, label: 'hartmann3' },
  { name: 'hartmann6', dim: 6, label: 'hartmann6' },
  { name: 'ackley', dim: 5, label: 'ackley5' },
  { name: 'levy', dim: 4, label: 'levy4' },
  { name: 'styblinski_tang', dim: 4, label: 'styblinski_tang4' },
  { name: 'ackley_shifted', dim: 5, label: 'ackley5_shifted' },
  { name: 'levy_shifted', dim: 4, label: 'levy4_shifted' },
  { name: 'styblinski_tang_shifted', dim: 4, label: 'styblinski_tang4_shifted' },
];
/** Centred function label -> its shifted variant's label. */
const SHIFTED_PAIRS: Array<[string, string]> = [['ackley5', 'ackley5_shifted'], ['levy4', 'levy4_shifted'], ['styblinski_tang4', 'styblinski_tang4_shifted']];
const METHODS: Array<{ label: string; method: BoMethod; batch: number; options?: ProposeOptions }> = [
  { label: 'random', method: 'random', batch: 1 },
  { label: 'sobol', method: 'sobol', batch: 1 },
  { label: 'tpe', method: 'tpe', batch: 1 },
  { label: 'gp-logei', method: 'gp-logei', batch: 1 },
  { label: 'gp-ucb', method: 'gp-ucb', batch: 1 },
  { label: 'ibnn-logei', method: 'ibnn-logei', batch: 1 },
  { label: 'ibnn-dot-logei', method: 'ibnn-logei', batch: 1, options: { ibnnInput: 'dot-product' } },
  { label: 'gp-logei-batch4', method: 'gp-logei', batch: 4 },
];
const BUDGET = 50;
const INITIAL = 10;
const SEEDS = Number(process.env.BO_BENCH_SEEDS ?? 20);

interface Job { kind: 'regret'; fn: number; method: number; seed: number }
interface LatencyJob { kind: 'latency'; seed: number }
interface MoJob { kind: 'mo'; method: 'parego' | 'random' | 'ehvi'; seed: number }
type AnyJob = Job | LatencyJob | MoJob;

/**
 * One multi-objective run on BraninCurrin: ParEGO over gp-logei (or random points, or EHVI as
 * studies propose it: core/src/bo/propose-multi.ts), BUDGET evaluations with INITIAL Sobol ones;
 * the hypervolume dominated at the end, w.r.t. BoTorch's reference point.
 */
function moRun(method: 'parego' | 'random' | 'ehvi', seed: number): number {
  const space: TSpace = [0, 1].map((i) => ({ type: 'float' as const, name: `u${i}`, low: 0, high: 1, log: false, gridPoints: 5 }));
  const dirs = ['minimize', 'minimize'] as const;
  const obs: MoObservation[] = [];
  let state: BoState | null = null;
  while (method === 'ehvi' && obs.length < BUDGET) {
    const r = proposeMultiObjective({ space, finished: obs, pending: [], directions: dirs, numbers: [obs.length], seed, method: 'gp-logei', initialDesign: INITIAL, state, acquisition: 'ehvi' });
    state = r.state;
    if (r.proposals.length === 0) break;
    for (const p of r.proposals) obs.push({ params: p.params, values: BRANIN_CURRIN.evaluate([p.params.u0 as number, p.params.u1 as number]) });
  }
  while (obs.length < BUDGET) {
    const r = proposeParEgo({ space, observations: obs, directions: dirs, count: 1, seed, method: method === 'parego' ? 'gp-logei' : 'random', initialDesign: INITIAL, state });
    state = r.state;
    if (r.proposals.length === 0) break;
    for (const p of r.proposals) obs.push({ params: p.params, values: BRANIN_CURRIN.evaluate([p.params.u0 as number, p.params.u1 as number]) });
  }
  return hypervolume(obs.map((o) => o.values), BRANIN_CURRIN.reference, dirs);
}

const LATENCY_AT = [50, 100, 200];
const near = (obs: number) => LATENCY_AT.find((n) => Math.abs(obs - n) <= 5);

/**
 * One gp-logei run on Hartmann-6 to 206 observations. Every proposal is timed warm; near 50, 100
 * and 200 observations the same proposal is also timed cold (state null), and cold again with
 * every fit start optimised on all the data (the fit before the subset starts; same run, so the
 * ratio is not machine noise).
 */
function latencyRun(seed: number) {
  const fn = TEST_FUNCTIONS.hartmann6;
  const space: TSpace = fn.bounds(6).map(([low, high], i) => ({ type: 'float' as const, name: `x${i}`, low, high, log: false, gridPoints: 5 }));
  const observations: BoObservation[] = [];
  let state: BoState | null = null;
  const samples: Array<{ obs: number; warm: number; cold?: number; coldFull?: number; warmJs?: number; coldJs?: number }> = [];
  const time = (st: BoState | null, full = false) => {
    const t0 = performance.now();
    const r = proposeBatch({
      space, observations, pending: [], count: 1, direction: 'minimize', seed, method: 'gp-logei', initialDesign: INITIAL, state: st,
      options: full ? { fitMaxIter: 60 } : undefined,
    });
    return { ms: performance.now() - t0, r };
  };
  while (observations.length < 206) {
    const warm = time(state);
    const sample: (typeof samples)[number] = { obs: observations.length, warm: warm.ms };
    if (near(observations.length) !== undefined && observations.length >= INITIAL) {
      sample.cold = time(null).ms;
      sample.coldFull = time(null, true).ms;
      // The same proposals with the linear algebra in JavaScript (identical results): the
      // WebAssembly kernels' speed-up, measured in this run.
      setWasmLinalg(false);
      sample.warmJs = time(state).ms;
      sample.coldJs = time(null).ms;
      setWasmLinalg(true);
    }
    if (observations.length >= INITIAL) samples.push(sample);
    state = warm.r.state;
    const p = warm.r.proposals[0];
    observations.push({ params: p.params, value: fn.evaluate(space.map((s) => p.params[s.name] as number)) });
  }
  return samples;
}

function runJob(job: AnyJob): unknown {
  if (job.kind === 'latency') return { kind: 'latency', samples: latencyRun(1000 + job.seed) };
  if (job.kind === 'mo') return { kind: 'mo', method: job.method, hv: moRun(job.method, job.seed) };
  const f = FUNCTIONS[job.fn];
  const m = METHODS[job.method];
  const fn = TEST_FUNCTIONS[f.name];
  const r = runOptimizer({ fn, dim: f.dim, method: m.method, budget: BUDGET, initial: INITIAL, batch: m.batch, seed: job.seed, options: m.options });
  return { kind: 'regret', fn: job.fn, method: job.method, regret: r.bestValues.at(-1)! - fn.optimum(f.dim) };
}

const shardArg = process.argv.find((a) => a.startsWith('--shard='));
const jobs: AnyJob[] = [];
for (let fn = 0; fn < FUNCTIONS.length; fn++) for (let method = 0; method < METHODS.length; method++) for (let seed = 0; seed < SEEDS; seed++) jobs.push({ kind: 'regret', fn, method, seed });
for (const method of ['parego', 'random', 'ehvi'] as const) for (let seed = 0; seed < SEEDS; seed++) jobs.push({ kind: 'mo', method, seed });

if (shardArg) {
  const [i, n] = shardArg.slice('--shard='.length).split('/').map(Number);
  for (let j = i; j < jobs.length; j += n) process.stdout.write(JSON.stringify(runJob(jobs[j])) + '\n');
  process.exit(0);
}

// Latency first, alone in this process: timing it beside the regret shards would measure the
// contention, not the proposal.
type LatencySample = { obs: number; warm: number; cold?: number; coldFull?: number; warmJs?: number; coldJs?: number };
const latencyRecords = [0, 1, 2].map((seed) => (runJob({ kind: 'latency', seed }) as { samples: LatencySample[] }).samples);
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
const latency = latencyRecords.flat();
const sortedOf = (xs: Array<number | undefined>) => xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
for (const n of LATENCY_AT) {
  const at = latency.filter((s) => near(s.obs) === n);
  const warm = sortedOf(at.map((s) => s.warm)), cold = sortedOf(at.map((s) => s.cold)), coldFull = sortedOf(at.map((s) => s.coldFull));
  const target = (t: string) => (n === 200 ? t : undefined);
  results.add({ figure: 'proposal_ms_p50', observations: n, dim: 6, method: 'gp-logei', fit: 'warm', value: +quantile(warm, 0.5).toFixed(1), iqr: [+quantile(warm, 0.25).toFixed(1), +quantile(warm, 0.75).toFixed(1)], samples: warm.length, target: target('<= 100') });
  results.add({ figure: 'proposal_ms_p50', observations: n, dim: 6, method: 'gp-logei', fit: 'cold', value: +quantile(cold, 0.5).toFixed(1), iqr: [+quantile(cold, 0.25).toFixed(1), +quantile(cold, 0.75).toFixed(1)], samples: cold.length, target: target('<= 300') });
  results.add({ figure: 'proposal_ms_p50', observations: n, dim: 6, method: 'gp-logei', fit: 'cold-all-starts-on-full-data', value: +quantile(coldFull, 0.5).toFixed(1), samples: coldFull.length, speedup_of_cold: +(quantile(coldFull, 0.5) / quantile(cold, 0.5)).toFixed(2) });
  for (const fit of ['warm', 'cold'] as const) {
    const paired = at.filter((s) => s[fit] !== undefined && s[`${fit}Js`] !== undefined);
    const js = sortedOf(paired.map((s) => s[`${fit}Js`]));
    const ratio = sortedOf(paired.map((s) => s[fit]! / s[`${fit}Js`]!));
    results.add({
      figure: 'proposal_ms_p50', observations: n, dim: 6, method: 'gp-logei', fit: `${fit}-javascript-linalg`, value: +quantile(js, 0.5).toFixed(1), iqr: [+quantile(js, 0.25).toFixed(1), +quantile(js, 0.75).toFixed(1)], samples: js.length,
      wasm_over_javascript: { median: +quantile(ratio, 0.5).toFixed(3), iqr: [+quantile(ratio, 0.25).toFixed(3), +quantile(ratio, 0.75).toFixed(3)] },
    });
  }
}

/**
 * One-sided Mann-Whitney U test that a's values tend to be smaller than b's (normal approximation
 * with tie correction and continuity correction): the p-value.
 */
function mannWhitneyLess(a: number[], b: number[]): number {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length, n2 = b.length, N = n1 + n2;
  let r1 = 0;
  all.forEach((x, i) => { if (x.g === 0) r1 += ranks[i]; });
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
  if (!(sd > 0)) return 1;
  const z = (u1 - mean + 0.5) / sd;
  return Math.min(1, 0.5 * erfc(-z / Math.SQRT2));
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Two-sided Mann-Whitney U p-value: do a's and b's values differ in location? */
const mannWhitneyTwoSided = (a: number[], b: number[]) => Math.min(1, 2 * Math.min(mannWhitneyLess(a, b), mannWhitneyLess(b, a)));

const regretsOf = (fn: string, method: string) => regrets.get(`${FUNCTIONS.findIndex((f) => f.label === fn)}/${METHODS.findIndex((m) => m.label === method)}`) ?? [];
const ALPHA = 0.05;
const ratio = (fn: string, other: string) => medians[fn][other] / Math.max(medians[fn]['gp-logei'], 1e-12);
const pVs = (fn: string, other: string) => +mannWhitneyLess(regretsOf(fn, 'gp-logei'), regretsOf(fn, other)).toExponential(2);
results.add({
  figure: 'gp_vs_random', branin: +ratio('branin', 'random').toFixed(1), hartmann6: +ratio('hartmann6', 'random').toFixed(1),
  p_value: { branin: pVs('branin', 'random'), hartmann6: pVs('hartmann6', 'random') }, test: 'one-sided Mann-Whitney U, gp-logei regret < random', target: '>= 10 on both',
});
const CENTRED = FUNCTIONS.filter((f) => !f.label.endsWith('_shifted'));
const tpeTests = CENTRED.map((f) => ({ fn: f.label, gpMedian: medians[f.label]['gp-logei'], tpeMedian: medians[f.label]['tpe'], p: pVs(f.label, 'tpe') }));
const beatsTpe = tpeTests.filter((t) => t.gpMedian < t.tpeMedian && t.p < ALPHA).map((t) => t.fn);
results.add({
  figure: 'gp_beats_tpe', count: beatsTpe.length, functions: beatsTpe, p_values: Object.fromEntries(tpeTests.map((t) => [t.fn, t.p])), alpha: ALPHA,
  test: 'one-sided Mann-Whitney U, gp-logei regret < tpe regret', tpe: 'in-house TPE (core/src/bo/tpe.ts), not Optuna TPESampler', target: '>= 4 of 6',
});
const shiftedTpeTests = SHIFTED_PAIRS.map(([, sh]) => ({ fn: sh, gpMedian: medians[sh]['gp-logei'], tpeMedian: medians[sh]['tpe'], p: pVs(sh, 'tpe') }));
results.add({
  figure: 'gp_beats_tpe_shifted', count: shiftedTpeTests.filter((t) => t.gpMedian < t.tpeMedian && t.p < ALPHA).length,
  functions: shiftedTpeTests.filter((t) => t.gpMedian < t.tpeMedian && t.p < ALPHA).map((t) => t.fn), p_values: Object.fromEntries(shiftedTpeTests.map((t) => [t.fn, t.p])),
  alpha: ALPHA, test: 'one-sided Mann-Whitney U, gp-logei regret < tpe regret',
});
// Where each method's regret on a centred function differs from the shifted one. Part of any
// difference is the landscape (the shifted box holds a different part of the function, so the
// stationary GP differs too); a method whose gap has the other sign or a far larger ratio than
// the stationary GP's profits from the optimum's position.
for (const [c, sh] of SHIFTED_PAIRS) {
  for (const m of METHODS) {
    const a = regretsOf(c, m.label), b = regretsOf(sh, m.label);
    const q = (v: number[]) => { const s = [...v].sort((x, y) => x - y); return { median: quantile(s, 0.5), iqr: [quantile(s, 0.25), quantile(s, 0.75)] }; };
    results.add({ figure: 'centre_bias', function: c, method: m.label, centred: q(a), shifted: q(b), p_value_differ: +mannWhitneyTwoSided(a, b).toExponential(2), test: 'two-sided Mann-Whitney U, centred vs shifted regrets' });
  }
}
// Best method per function, and whether it beats the runner-up significantly.
for (const f of FUNCTIONS) {
  const ranked = METHODS.map((m) => m.label).sort((x, y) => medians[f.label][x] - medians[f.label][y]);
  const p = +mannWhitneyLess(regretsOf(f.label, ranked[0]), regretsOf(f.label, ranked[1])).toExponential(2);
  results.add({ figure: 'best_method', function: f.label, best: ranked[0], median: medians[f.label][ranked[0]], runner_up: ranked[1], runner_up_median: medians[f.label][ranked[1]], p_value: p, beats_runner_up: p < ALPHA, test: 'one-sided Mann-Whitney U, best < runner-up' });
}
results.add({
  figure: 'hartmann6_basin', method: 'gp-logei', seeds_within_0_01: regretsOf('hartmann6', 'gp-logei').filter((r) => r <= 0.01).length, seeds: SEEDS,
  median: medians.hartmann6['gp-logei'], target: 'median <= 0.01',
});
results.add({ figure: 'ackley5_median', method: 'gp-logei', median: medians.ackley5['gp-logei'], target: '<= 5' });
{
  const hvOf = (m: string) => records.filter((r) => r.kind === 'mo' && r.method === m).map((r) => r.hv as number).sort((a, b) => a - b);
  const pe = hvOf('parego'), rnd = hvOf('random'), eh = hvOf('ehvi');
  const row = (v: number[]) => ({ median: quantile(v, 0.5), iqr: [quantile(v, 0.25), quantile(v, 0.75)], seeds: v.length });
  results.add({
    figure: 'mo_hypervolume', problem: 'branin_currin', reference: BRANIN_CURRIN.reference, max_hypervolume: BRANIN_CURRIN.maxHypervolume, budget: BUDGET, initial: INITIAL,
    parego: row(pe), random: row(rnd), p_value: +mannWhitneyLess(rnd, pe).toExponential(2), test: 'one-sided Mann-Whitney U, random hypervolume < parego hypervolume',
    // EHVI, the default acquisition of multi-objective studies (up to three objectives).
    ehvi: row(eh), p_value_ehvi_vs_parego: +mannWhitneyLess(pe, eh).toExponential(2), test_ehvi: 'one-sided Mann-Whitney U, parego hypervolume < ehvi hypervolume',
  });
}
// Pruning (issue #14 item 6): training steps to a target loss with and without a pruner (bench/bo-pruning.ts).
await addPruningFigures(results);
results.save({ seeds: SEEDS, budget: BUDGET, initial: INITIAL, tpe: 'in-house TPE (core/src/bo/tpe.ts), not Optuna TPESampler' });
