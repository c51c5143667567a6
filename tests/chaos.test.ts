import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosStack, runScenario, type ScenarioLine } from '../bench/chaos-harness';
import { TEST_ENV } from './support/env';

/**
 * The short form of `npm run chaos`: studies run undisturbed and then again, same config and
 * seed, while workers are SIGKILLed and the Temporal server restarts; each must complete with
 * every trial exactly once, the same numbers, and histories that replay against the current
 * workflow code. Restarting Temporal needs a server of our own with an SQLite file (the global
 * setup's is in memory and shared), so this file starts a whole private stack on its own ports:
 * STEPWISE_TEST_CHAOS_PG_PORT and STEPWISE_TEST_CHAOS_TEMPORAL_PORT (UI at +1000).
 */
const pgPort = Number(process.env.STEPWISE_TEST_CHAOS_PG_PORT ?? TEST_ENV.pgPort + 1);
const temporalPort = Number(process.env.STEPWISE_TEST_CHAOS_TEMPORAL_PORT ?? TEST_ENV.temporalPort + 2);

let stack: ChaosStack;

beforeAll(async () => {
  stack = await ChaosStack.start({
    dir: join(dirname(TEST_ENV.pgDataDir), 'chaos'), pgPort, temporalPort, uiPort: temporalPort + 1000,
    database: 'chaos_test', unsafeFastPostgres: true, log: (line) => console.error(`[chaos] ${line}`),
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** Every check in one comparison, so that a failure shows the whole line. */
function expectSurvived(line: ScenarioLine, trials: number): void {
  console.log(JSON.stringify(line));
  const got = {
    completed: line.completed, faults_missed: line.faults_missed, trials: line.trials, duplicates: line.duplicates,
    block_duplicates: line.block_duplicates, running_left: line.running_left, not_completed: line.not_completed,
    counter_matches: line.counter_matches, identical: line.identical, mismatches: line.mismatches,
    replay_failures: line.replay_failures, replay_errors: line.replay_errors, first_workflow_task_failure: line.first_workflow_task_failure,
  };
  expect(got).toEqual({
    completed: true, faults_missed: [], trials, duplicates: 0, block_duplicates: 0, running_left: 0, not_completed: 0,
    counter_matches: true, identical: true, mismatches: 0, replay_failures: 0, replay_errors: [], first_workflow_task_failure: null,
  });
}

describe('chaos (short form of npm run chaos)', () => {
  it('a sampler study survives compute and orchestrator SIGKILLs and a Temporal restart with identical values', async () => {
    const line = await runScenario(stack, {
      name: 'ci-sampler',
      config: {
        kind: 'random',
        objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 64, maxSamples: 256, blockSize: 64, targetRelHalfWidth: 0.05 } },
        space: [
          { type: 'categorical', name: 'preset', choices: ['ddim', 'dpmpp-2m', 'unipc-bh2'] },
          { type: 'int', name: 'nfe', low: 4, high: 10 },
        ],
        budget: { trials: 40, parallel: 4 },
        seed: 3,
      },
      faults: [
        { at: 0.2, kind: 'kill-compute' },
        { at: 0.45, kind: 'kill-orchestrator' },
        { at: 0.7, kind: 'restart-temporal' },
      ],
      timeoutS: 180,
      stallS: 75,
    });
    expect(line.faults).toEqual(['kill-compute', 'kill-orchestrator', 'restart-temporal']);
    expectSurvived(line, 40);
  }, 600_000);

  it('a function study crosses continue-as-new after an orchestrator SIGKILL and a Postgres restart, with identical values', async () => {
    const line = await runScenario(stack, {
      name: 'ci-function',
      config: {
        kind: 'random',
        objective: { type: 'function', function: 'levy', dim: 4, noiseStd: 0.1 },
        budget: { trials: 1200, parallel: 8, batchSize: 4 },
        seed: 5,
      },
      // The workflow continues as new every 1,000 trials: the restarted orchestrator makes the
      // crossing, and Postgres restarts under the new run.
      faults: [
        { at: 0.6, kind: 'kill-orchestrator' },
        { at: 0.86, kind: 'restart-postgres' },
      ],
      timeoutS: 180,
      stallS: 75,
    });
    expect(line.faults).toEqual(['kill-orchestrator', 'restart-postgres']);
    expect(line.runs).toBeGreaterThanOrEqual(2);
    expectSurvived(line, 1200);
  }, 600_000);
});
