import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ChaosStack, runScenario, type FaultPlan, type ScenarioLine, type ScenarioSpec } from './chaos-harness';

/**
 * `npm run chaos`: a private stack on loopback, and three studies each run undisturbed and then
 * again (same config, same seed) while the compute worker is SIGKILLed twice, the orchestrator
 * SIGKILLed and restarted, Postgres restarted and the Temporal dev server restarted on its SQLite
 * file. One JSON line per scenario; all of them in bench/results/chaos.json.
 *
 * Ports (env): STEPWISE_CHAOS_PG_PORT (54415), STEPWISE_CHAOS_TEMPORAL_PORT (7415, UI at +1000).
 * `--only NAME` runs one scenario (sampler, function, bayesopt).
 */
const pgPort = Number(process.env.STEPWISE_CHAOS_PG_PORT ?? 54415);
const temporalPort = Number(process.env.STEPWISE_CHAOS_TEMPORAL_PORT ?? 7415);
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

/** Milestones (fraction of trials finished) in the order the issue lists the faults. */
const FAULTS: FaultPlan[] = [
  { at: 0.15, kind: 'kill-compute' },
  { at: 0.35, kind: 'kill-orchestrator' },
  { at: 0.55, kind: 'restart-postgres' },
  { at: 0.75, kind: 'restart-temporal' },
  { at: 0.9, kind: 'kill-compute' },
];

const scenarios: ScenarioSpec[] = [
  {
    name: 'sampler',
    config: {
      kind: 'random',
      objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 64, maxSamples: 256, blockSize: 64, targetRelHalfWidth: 0.05 } },
      space: [
        { type: 'categorical', name: 'preset', choices: ['ddim', 'dpmpp-2m', 'dpmpp-3m', 'unipc-bh2'] },
        { type: 'int', name: 'nfe', low: 4, high: 10 },
      ],
      budget: { trials: 200, parallel: 8 },
      seed: 11,
    },
    faults: FAULTS,
    timeoutS: 600,
    stallS: 120,
  },
  {
    // Continue-as-new every 1,000 trials: the Postgres restart lands after the first crossing.
    name: 'function',
    config: {
      kind: 'random',
      objective: { type: 'function', function: 'levy', dim: 4, noiseStd: 0.1 },
      budget: { trials: 2000, parallel: 8 },
      seed: 5,
    },
    faults: [
      { at: 0.15, kind: 'kill-compute' },
      { at: 0.35, kind: 'kill-orchestrator' },
      { at: 0.5, kind: 'restart-postgres' },
      { at: 0.75, kind: 'restart-temporal' },
      { at: 0.9, kind: 'kill-compute' },
    ],
    timeoutS: 600,
    stallS: 120,
  },
  {
    // Faults earlier than in the other scenarios: a short study, and each fault waits for the last to recover.
    name: 'bayesopt',
    config: {
      kind: 'bayesopt',
      objective: { type: 'function', function: 'branin' },
      budget: { trials: 40, parallel: 1 },
      bayesopt: { method: 'gp-logei', initialDesign: 8 },
      seed: 1,
    },
    faults: [...FAULTS, { at: 0, kind: 'kill-proposals' as const }].map((f, i) => ({ ...f, at: 0.14 * (i + 1) })),
    timeoutS: 600,
    stallS: 120,
    note: 'parallel 1: each proposal sees every earlier result, so params and values are deterministic and compared in full',
  },
];

const stack = await ChaosStack.start({
  dir: join('.data', 'chaos'), pgPort, temporalPort, uiPort: temporalPort + 1000, database: 'chaos',
  log: (line) => console.error(`[chaos] ${line}`),
});
const lines: ScenarioLine[] = [];
const errors: Array<{ scenario: string; completed: false; error: string }> = [];
const t0 = Date.now();
// What was measured: the commit, and whether the code the workers load had uncommitted changes.
const git = (args: string[]) => spawnSync('git', args, { encoding: 'utf8' });
const commit = git(['rev-parse', '--short', 'HEAD']).stdout?.trim() || null;
const uncommitted = (git(['status', '--porcelain', '--', 'core/src', 'workers/src', 'orchestrator/src', 'prisma/src']).stdout ?? '').trim().length > 0;
try {
  for (const spec of scenarios) {
    if (only && spec.name !== only) continue;
    try {
      const line = await runScenario(stack, spec);
      lines.push(line);
      console.log(JSON.stringify({ bench: 'chaos', ...line }));
    } catch (err) {
      // The harness itself could not go on (a server that would not come back): say so, go on.
      const failed = { scenario: spec.name, completed: false as const, error: (err as Error).message.slice(0, 2000) };
      errors.push(failed);
      console.log(JSON.stringify({ bench: 'chaos', ...failed }));
    }
  }
} finally {
  await stack.stop();
}
const ok = (l: ScenarioLine) => l.completed && l.trials === l.expected_trials && l.duplicates === 0 && l.block_duplicates === 0 && l.running_left === 0 && l.identical && l.replay_failures === 0 && l.faults_missed.length === 0;
mkdirSync('bench/results', { recursive: true });
writeFileSync(join('bench/results', 'chaos.json'), JSON.stringify({
  name: 'chaos', date: new Date().toISOString(),
  machine: { cpus: os.availableParallelism(), node: process.version },
  commit, uncommitted_changes_at_start: uncommitted,
  wall_s: Math.round((Date.now() - t0) / 1000),
  passed: errors.length === 0 && lines.every(ok),
  figures: [...lines, ...errors].map((l) => ({ bench: 'chaos', ...l })),
}, null, 2) + '\n');
process.exit(errors.length === 0 && lines.every(ok) ? 0 : 1);
