import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { shouldPrune, ZPrunerConfig, type CurvePoint, type PrunableTrial, type TPrunerConfig } from '../core/src/search/pruning';
import { CounterRng } from '../core/src/rng';
import { quantile, Results } from './results';

/**
 * The pruning rows of `npm run bench -- bo` (issue #14, item 6). The example program really runs:
 * a pool of POOL configurations of examples/train_tiny.py (lr log-uniform on [5e-4, 5], hidden
 * log-uniform on [2, 32], 27 epochs, data seed 0, pool seed 2026) is trained once with
 * --report-steps, and every arm replays the same recorded curves, so a difference is the pruner's.
 *
 * Protocol (how ASHA / Hyperband / median pruning are evaluated in their papers and in Optuna /
 * Ray Tune): a search with one trial at a time draws configurations i.i.d. from the pool (with
 * replacement: an unbounded stream from the pool's distribution, the same stream for every arm
 * of a seed) and asks core shouldPrune after each epoch against every earlier trial, as the study
 * workflow does. An earlier version walked a shuffle of the 81 configurations and stopped there,
 * which is unfair to a pruner: ASHA trains only ~1/27 of its trials to the end, so a finite pool
 * ran out before it finished enough of them (11 of 20 seeds "never reached" the target), while
 * the real search would just have drawn more configurations. Two figures per pruner, both arms:
 * - steps to target: total epochs spent until a FINISHED run reaches the pool's 10th-percentile
 *   final loss (a pruned run's value is not a final one), capped at MAX_STEPS (Infinity past it);
 * - anytime: the best final loss among finished runs after S total epochs, S = 3, 9, 27 and 81
 *   full-run budgets.
 * A run is not judged at its last epoch (its compute is spent; Ray's ASHA has no rung at max_t).
 * Median and IQR over seeds, the per-seed ratio, and exact one-sided sign tests paired by seed.
 * A `pruning_pool_curves` row says why the pruners gain what they gain: Spearman rank correlation
 * of each epoch's val_loss with the final one over the pool, and within the third best at epoch 1
 * (the runs a rung-1 cut keeps, among which the later rungs must choose).
 * The same rows for a second pool (data seed 1, pool seed 7) follow. Imports no Prisma client
 * (runs on a fresh clone).
 */

const POOL = 81;
const EPOCHS = 27;
const SEEDS = Number(process.env.BO_BENCH_SEEDS ?? 20);
/**
 * (data seed, pool seed): the reported pool, and a second one (another data set and other
 * configurations) that shows how much the verdict depends on the pool; the pruner defaults were
 * checked on the second, not chosen on the first. BO_PRUNING_DATA_SEED / BO_PRUNING_POOL_SEED
 * run one other pool instead.
 */
const POOLS: Array<[number, number]> = process.env.BO_PRUNING_DATA_SEED !== undefined
  ? [[Number(process.env.BO_PRUNING_DATA_SEED), Number(process.env.BO_PRUNING_POOL_SEED ?? 2026)]]
  : [[0, 2026], [1, 7]];
const TARGET_QUANTILE = 0.1;
const BUDGETS = [3, 9, 27, 81].map((runs) => runs * EPOCHS);
const MAX_STEPS = 200 * EPOCHS;

interface Run {
  params: { lr: number; hidden: number; epochs: number };
  curve: CurvePoint[];
  final: number;
}

function trainTiny(params: Run['params'], dataSeed: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['train_tiny.py', '--seed', String(dataSeed), '--report-steps'], { cwd: 'examples', stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`train_tiny.py exited ${code} for ${JSON.stringify(params)}`));
      const lines = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l.replace(/\bNaN\b/g, 'null')) as Record<string, number | null>);
      const curve = lines.filter((l) => typeof l.step === 'number').map((l) => ({ step: l.step!, value: l.val_loss ?? Number.NaN }));
      const final = lines.at(-1)?.val_loss;
      resolve({ params, curve, final: typeof final === 'number' ? final : Number.POSITIVE_INFINITY });
    });
    child.stdin.end(JSON.stringify(params));
  });
}

/** The finished runs of one search, in order: total steps spent when each finished, and its final loss. */
interface Finish { steps: number; final: number }

/** One search over a stream of draws from the pool until MAX_STEPS epochs are spent. */
function search(pool: Run[], seed: number, pruner: TPrunerConfig | null): { finishes: Finish[]; trials: number; pruned: number } {
  const draw = new CounterRng(seed, 1406);
  const history: PrunableTrial[] = [];
  const finishes: Finish[] = [];
  let steps = 0;
  let pruned = 0;
  let i = 0;
  for (; steps < MAX_STEPS; i++) {
    const run = pool[draw.int(pool.length)];
    let stopped = false;
    for (let s = 1; s <= run.curve.length; s++) {
      steps++;
      // Not asked at the last epoch: the run has spent its budget and its final line follows at
      // once (in the stack a run that finishes before the cancel arrives keeps its result).
      if (!pruner || s === run.curve.length) continue;
      const curve = run.curve.slice(0, s);
      if (shouldPrune(pruner, 'minimize', { number: i, curve, status: 'running' }, history).prune) {
        history.push({ number: i, curve, status: 'pruned' });
        pruned++;
        stopped = true;
        break;
      }
    }
    if (stopped) continue;
    history.push({ number: i, curve: run.curve, status: 'completed' });
    finishes.push({ steps, final: run.final });
  }
  return { finishes, trials: i, pruned };
}

const stepsToTarget = (f: Finish[], target: number) => f.find((x) => x.final <= target)?.steps ?? Number.POSITIVE_INFINITY;
const bestAfter = (f: Finish[], budget: number) => f.reduce((b, x) => (x.steps <= budget && x.final < b ? x.final : b), Number.POSITIVE_INFINITY);

/** Exact one-sided sign test: P(at least `wins` of `n` non-tied pairs favour one arm | no difference). */
function signTest(wins: number, n: number): number {
  let p = 0;
  let c = 1; // C(n, 0)
  for (let k = 0; k <= n; k++) {
    if (k >= wins) p += c;
    c = (c * (n - k)) / (k + 1);
  }
  return Math.min(1, p / 2 ** n);
}

/** Paired comparison where lower is better for the pruner arm: "w of n seeds (ties left out)" and its p-value. */
function paired(pruner: number[], none: number[]): { pruner_lower: string; p_value: number } {
  const decided = pruner.map((w, i) => Math.sign(none[i] - w)).filter((d) => d !== 0 && Number.isFinite(d));
  const wins = decided.filter((d) => d > 0).length;
  return { pruner_lower: `${wins} of ${decided.length} seeds (ties left out)`, p_value: +signTest(wins, decided.length).toExponential(2) };
}

function ranks(v: number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let a = 0; a < order.length; ) {
    let b = a;
    while (b + 1 < order.length && order[b + 1][0] === order[a][0]) b++;
    for (let k = a; k <= b; k++) r[order[k][1]] = (a + b) / 2;
    a = b + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson on mid-ranks; non-finite values rank last). */
function spearman(x: number[], y: number[]): number {
  const fix = (v: number[]) => v.map((t) => (Number.isFinite(t) ? t : Number.MAX_VALUE));
  const [rx, ry] = [ranks(fix(x)), ranks(fix(y))];
  const m = (rx.length - 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i] - m) * (ry[i] - m);
    sxx += (rx[i] - m) ** 2;
    syy += (ry[i] - m) ** 2;
  }
  return +(sxy / Math.sqrt(sxx * syy)).toFixed(2);
}

export async function addPruningFigures(results: Results): Promise<void> {
  for (const [dataSeed, poolSeed] of POOLS) await addPoolFigures(results, dataSeed, poolSeed);
}

async function addPoolFigures(results: Results, dataSeed: number, poolSeed: number): Promise<void> {
  const rng = new CounterRng(poolSeed, 14);
  const params = Array.from({ length: POOL }, () => ({
    lr: +Math.exp(Math.log(5e-4) + rng.uniform() * (Math.log(5) - Math.log(5e-4))).toPrecision(4),
    hidden: Math.max(2, Math.min(32, Math.round(Math.exp(Math.log(2) + rng.uniform() * (Math.log(32) - Math.log(2)))))),
    epochs: EPOCHS,
  }));
  const pool: Run[] = [];
  // Two programs at a time (the bench machine has few cores).
  for (let i = 0; i < params.length; i += 2) pool.push(...(await Promise.all(params.slice(i, i + 2).map((p) => trainTiny(p, dataSeed)))));
  const finals = pool.map((r) => r.final).filter(Number.isFinite).sort((a, b) => a - b);
  const target = +quantile(finals, TARGET_QUANTILE).toFixed(6);
  const poolLabel = `${POOL} configurations, data seed ${dataSeed}, pool seed ${poolSeed}`;

  const at = (r: Run, step: number) => r.curve.find((p) => p.step === step)?.value ?? Number.NaN;
  const epochs = [1, 3, 9, 18];
  const thirdAtOne = [...pool].sort((a, b) => at(a, 1) - at(b, 1)).slice(0, Math.floor(POOL / 3));
  const winners = pool.filter((r) => r.final <= target);
  results.add({
    figure: 'pruning_pool_curves', program: 'examples/train_tiny.py', pool: poolLabel, epochs: EPOCHS, target_val_loss: target,
    spearman_with_final: Object.fromEntries(epochs.map((e) => [`epoch_${e}`, spearman(pool.map((r) => at(r, e)), pool.map((r) => r.final))])),
    spearman_with_final_in_best_third_at_epoch_1: Object.fromEntries(epochs.slice(1).map((e) => [`epoch_${e}`, spearman(thirdAtOne.map((r) => at(r, e)), thirdAtOne.map((r) => r.final))])),
    reaching_target: winners.length,
    reaching_target_with_a_spike: winners.filter((r) => r.curve.some((p, k) => p.value - Math.min(...r.curve.slice(0, k + 1).map((q) => q.value)) > 0.1)).length,
    spike: 'val_loss more than 0.1 above the run\'s best so far at some epoch (an oscillating high-lr run)',
    reaching_target_lr: [Math.min(...winners.map((r) => r.params.lr)), Math.max(...winners.map((r) => r.params.lr))],
  });

  const seeds = Array.from({ length: SEEDS }, (_, s) => s);
  const none = seeds.map((s) => search(pool, s, null));
  const noneSteps = none.map((r) => stepsToTarget(r.finishes, target));
  const row = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    // A seed that never got there counts as Infinity (JSON null), reported apart.
    return { median: quantile(s, 0.5), iqr: [quantile(s, 0.25), quantile(s, 0.75)], reached: v.filter(Number.isFinite).length };
  };
  const loss = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    return { median: +quantile(s, 0.5).toFixed(4), iqr: [+quantile(s, 0.25).toFixed(4), +quantile(s, 0.75).toFixed(4)] };
  };
  // The study defaults of each pruner (Optuna's MedianPruner: n_startup_trials 5, n_warmup_steps 0;
  // its SuccessiveHalvingPruner and Ray's ASHA: min_resource / grace_period 1, factor 3), a
  // grace period past the first epochs, and Hyperband, whose largest bracket never prunes.
  const pruners = [
    { label: 'asha (minResource 1, reductionFactor 3; the defaults)', config: ZPrunerConfig.parse({ type: 'asha' }) },
    { label: 'asha (minResource 3, reductionFactor 3)', config: ZPrunerConfig.parse({ type: 'asha', minResource: 3 }) },
    { label: 'hyperband (minResource 1, maxResource 27, reductionFactor 3)', config: ZPrunerConfig.parse({ type: 'hyperband', maxResource: EPOCHS }) },
    { label: 'median (warmupSteps 0, minTrials 5; the defaults)', config: ZPrunerConfig.parse({ type: 'median' }) },
    { label: 'median (warmupSteps 3, minTrials 5)', config: ZPrunerConfig.parse({ type: 'median', warmupSteps: 3 }) },
  ];
  for (const { label, config } of pruners) {
    const runs = seeds.map((s) => search(pool, s, config));
    const withSteps = runs.map((r) => stepsToTarget(r.finishes, target));
    const ratios = withSteps.map((w, i) => w / noneSteps[i]).sort((a, b) => a - b);
    const r3 = (x: number) => (Number.isFinite(x) ? +x.toFixed(3) : null);
    results.add({
      figure: 'pruning_steps_to_target', program: 'examples/train_tiny.py', pruner: label, pool: poolLabel, epochs: EPOCHS,
      target_val_loss: target, target_from: `${TARGET_QUANTILE} quantile of the pool's final val_loss`, seeds: SEEDS, max_steps: MAX_STEPS,
      without_pruning: row(noneSteps), with_pruner: row(withSteps),
      ratio_pruner_over_none: { median: r3(quantile(ratios, 0.5)), iqr: [r3(quantile(ratios, 0.25)), r3(quantile(ratios, 0.75))] },
      pruned_share: +(runs.reduce((a, r) => a + r.pruned, 0) / runs.reduce((a, r) => a + r.trials, 0)).toFixed(3),
      ...(({ pruner_lower, p_value }) => ({ pruner_fewer_steps: pruner_lower, p_value }))(paired(withSteps, noneSteps)),
      test: 'exact one-sided sign test, paired by seed: the pruner spends fewer steps',
      anytime: BUDGETS.map((budget) => {
        const w = runs.map((r) => bestAfter(r.finishes, budget));
        const n = none.map((r) => bestAfter(r.finishes, budget));
        return { steps: budget, best_final_without: loss(n), best_final_with: loss(w), ...paired(w, n) };
      }),
      anytime_test: 'best final val_loss among finished runs after that many total steps; exact one-sided sign test, paired by seed: the pruner\'s is lower',
      protocol: 'sequential search, one trial at a time, configurations drawn i.i.d. with replacement from the recorded pool (same stream for both arms of a seed)',
      note: `a seed that reached no target within ${MAX_STEPS} steps counts as Infinity (null in JSON); reached = seeds that did`,
    });
  }
}

// Alone: `npx tsx bench/bo-pruning.ts` prints the row and saves bench/results/bo-pruning.json.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = new Results('bo-pruning');
  await addPruningFigures(results);
  results.save({ seeds: SEEDS });
}
