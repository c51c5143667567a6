import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { shouldPrune, ZPrunerConfig, type CurvePoint, type PrunableTrial, type TPrunerConfig } from '../core/src/search/pruning';
import { CounterRng } from '../core/src/rng';
import { quantile, Results } from './results';

/**
 * The pruning row of `npm run bench -- bo` (issue #14, item 6): total training steps (epochs) a
 * random search over examples/train_tiny.py spends until a run that finished reaches a target
 * validation loss, with and without the ASHA pruner (minResource 1, reductionFactor 3, the
 * study defaults). The example program really runs: a pool of POOL configurations (lr log-uniform
 * on [5e-4, 5], hidden log-uniform on [2, 32], 27 epochs, data seed 0) is trained once with
 * --report-steps, and each bench seed is one random order of that pool; both arms read the same
 * recorded curves, so the difference is the pruner's alone. Trials run one at a time and ASHA
 * judges each at its rungs against every earlier trial (core shouldPrune, as the study workflow
 * asks it). The target is the pool's 10th-percentile final loss. Median and IQR over seeds, the
 * per-seed ratio of the two, and an exact one-sided sign test (paired by seed) for "ASHA spends
 * fewer steps". Imports no Prisma client (runs on a fresh clone).
 */

const POOL = 81;
const EPOCHS = 27;
const SEEDS = Number(process.env.BO_BENCH_SEEDS ?? 20);
const TARGET_QUANTILE = 0.1;

interface Run {
  params: { lr: number; hidden: number; epochs: number };
  curve: CurvePoint[];
  final: number;
}

function trainTiny(params: Run['params']): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['train_tiny.py', '--seed', '0', '--report-steps'], { cwd: 'examples', stdio: ['pipe', 'pipe', 'inherit'] });
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

/** Steps spent until a finished run reaches `target` (Infinity if none does), and how many runs were pruned. */
function search(order: Run[], target: number, pruner: TPrunerConfig | null): { steps: number; pruned: number } {
  const history: PrunableTrial[] = [];
  let steps = 0;
  let pruned = 0;
  for (let i = 0; i < order.length; i++) {
    const run = order[i];
    let stopped = false;
    for (let s = 1; s <= run.curve.length; s++) {
      steps++;
      if (!pruner) continue;
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
    if (run.final <= target) return { steps, pruned };
  }
  return { steps: Number.POSITIVE_INFINITY, pruned };
}

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

export async function addPruningFigures(results: Results): Promise<void> {
  const rng = new CounterRng(2026, 14);
  const params = Array.from({ length: POOL }, () => ({
    lr: +Math.exp(Math.log(5e-4) + rng.uniform() * (Math.log(5) - Math.log(5e-4))).toPrecision(4),
    hidden: Math.max(2, Math.min(32, Math.round(Math.exp(Math.log(2) + rng.uniform() * (Math.log(32) - Math.log(2)))))),
    epochs: EPOCHS,
  }));
  const pool: Run[] = [];
  // Two programs at a time (the bench machine has few cores).
  for (let i = 0; i < params.length; i += 2) pool.push(...(await Promise.all(params.slice(i, i + 2).map(trainTiny))));
  const finals = pool.map((r) => r.final).filter(Number.isFinite).sort((a, b) => a - b);
  const target = +quantile(finals, TARGET_QUANTILE).toFixed(6);

  const orders = Array.from({ length: SEEDS }, (_, seed) => {
    const r = new CounterRng(seed, 1406);
    const order = [...pool];
    for (let i = order.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  });
  const without = orders.map((o) => search(o, target, null).steps);
  const row = (v: number[]) => {
    const s = [...v].sort((x, y) => x - y);
    // A seed whose search never reached the target counts as Infinity (JSON null), reported apart.
    return { median: quantile(s, 0.5), iqr: [quantile(s, 0.25), quantile(s, 0.75)], reached: v.filter(Number.isFinite).length };
  };
  // ASHA with the study defaults; with a grace period (minResource 3) that skips the noisiest
  // first epochs; and the median pruner (best so far against the finished runs' median at the step).
  const pruners = [
    { label: 'asha (minResource 1, reductionFactor 3; the defaults)', config: ZPrunerConfig.parse({ type: 'asha' }) },
    { label: 'asha (minResource 3, reductionFactor 3)', config: ZPrunerConfig.parse({ type: 'asha', minResource: 3 }) },
    { label: 'median (warmupSteps 3, minTrials 5)', config: ZPrunerConfig.parse({ type: 'median', warmupSteps: 3, minTrials: 5 }) },
  ];
  for (const { label, config } of pruners) {
    const runs = orders.map((o) => search(o, target, config));
    const withAsha = runs.map((r) => r.steps);
    const ratios = withAsha.map((w, i) => w / without[i]).sort((a, b) => a - b);
    const decided = withAsha.map((w, i) => Math.sign(without[i] - w)).filter((d) => d !== 0);
    const wins = decided.filter((d) => d > 0).length;
    results.add({
      figure: 'pruning_steps_to_target', program: 'examples/train_tiny.py', pruner: label, pool: POOL, epochs: EPOCHS,
      target_val_loss: target, target_from: `${TARGET_QUANTILE} quantile of the pool's final val_loss`, seeds: SEEDS,
      without_pruning: row(without), with_pruner: row(withAsha),
      ratio_pruner_over_none: { median: +quantile(ratios, 0.5).toFixed(3), iqr: [+quantile(ratios, 0.25).toFixed(3), +quantile(ratios, 0.75).toFixed(3)] },
      pruned_trials: (({ median, iqr }) => ({ median, iqr }))(row(runs.map((r) => r.pruned))),
      pruner_fewer_steps: `${wins} of ${decided.length} seeds (ties left out)`, p_value: +signTest(wins, decided.length).toExponential(2),
      test: 'exact one-sided sign test, paired by seed: the pruner spends fewer steps', protocol: 'sequential random search over recorded curves of the example program',
      note: 'a seed whose search never reached the target counts as Infinity steps (null in JSON); reached = seeds that did',
    });
  }
}

// Alone: `npx tsx bench/bo-pruning.ts` prints the row and saves bench/results/bo-pruning.json.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = new Results('bo-pruning');
  await addPruningFigures(results);
  results.save({ seeds: SEEDS });
}
