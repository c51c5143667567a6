import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { ManagedProcess } from '../infra/stack/processes';
import type { FinalNumbers, ThresholdoutRecord } from '../orchestrator/src/activities/holdout';
import { holdoutLines } from '../client/src/cli/program';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';

/** Holdout discipline in a search: Thresholdout on new bests, final numbers from unseen seeds. */
const w = testWorkerEnv('holdout');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

const HOLDOUT_START = 100_000;

beforeAll(async () => {
  live.push(
    ...(await Promise.all([
      startOrchestrator(w, 'holdout-orchestrator'),
      startProposals(w, 'holdout-proposals'),
      startCompute(w, 'holdout-compute', { STEPWISE_MODEL_DIR: '.data/test/models' }),
    ])),
  );
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('holdout in a bayesopt study', () => {
  it('searches below the holdout, guards it with Thresholdout, and reports the best trial on the holdout seeds', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'bayesopt with holdout', kind: 'bayesopt',
        objective: { type: 'sampler', model: 'gmm-64d', metric: 'rmse', estimation: { minSamples: 32, maxSamples: 64, blockSize: 32 } },
        space: [
          { type: 'int', name: 'nfe', low: 4, high: 12 },
          { type: 'categorical', name: 'preset', choices: ['ddim', 'dpmpp-2m'] },
        ],
        holdout: { start: HOLDOUT_START, size: 64, thresholdout: { threshold: 0.002, sigma: 0.0005, budget: 2 } },
        budget: { trials: 8, parallel: 2 },
        bayesopt: { initialDesign: 4 },
        seed: 11,
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status, JSON.stringify(done)).toBe('completed');

    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' } });
    expect(trials).toHaveLength(8);
    const completed = trials.filter((t) => t.status === 'completed' && t.value !== null);
    expect(completed.length).toBeGreaterThan(0);
    const bestValue = Math.min(...completed.map((t) => t.value!));
    const best = completed.find((t) => t.value === bestValue)!;

    // Search-time blocks never reach the holdout seeds.
    const blocks = await db.trialBlock.findMany({ where: { trial: { studyId: study.id } } });
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.every((b) => b.seedStart >= 0 && b.seedEnd <= 64 && b.seedEnd <= HOLDOUT_START)).toBe(true);

    // studies.get exposes the strategy state: the GP state, the final numbers and the guard, side by side.
    const detail = await service.getStudy(study.id);
    const strategy = detail.strategy as { version?: number; gp?: unknown; final?: FinalNumbers; thresholdout?: ThresholdoutRecord };
    expect(strategy.gp).toBeTruthy();

    const final = strategy.final!;
    expect(final).toBeTruthy();
    expect(final.n).toBe(64);
    expect(final.holdout).toEqual({ start: HOLDOUT_START, size: 64 });
    expect(final.trialNumber).toBe(best.number);
    expect(final.trialNumber).toBe(detail.bestTrialNumber);
    expect(final.params).toEqual(best.params);
    expect(final.searchMean).toBe(best.value);
    expect(final.ciLow).toBeLessThan(final.mean);
    expect(final.mean).toBeLessThan(final.ciHigh);
    expect(final.mean).toBeGreaterThan(0);
    // The trial's own row keeps its search-time estimate.
    expect(best.n).toBeLessThanOrEqual(64);

    // The API never shows Thresholdout's noisy threshold; the server-side state has it.
    expect((strategy.thresholdout as { state?: unknown }).state).toBeUndefined();
    const row = await db.study.findUniqueOrThrow({ where: { id: study.id } });
    const guard = (row.strategyState as unknown as { thresholdout: ThresholdoutRecord }).thresholdout;
    expect(guard).toBeTruthy();
    expect(guard.queries.length).toBeGreaterThanOrEqual(1);
    const spent = guard.queries.filter((q) => q.overThreshold).length;
    expect(guard.budget).toBe(2);
    expect(guard.state.config).toMatchObject({ threshold: 0.002, sigma: 0.0005, budget: 2, seed: 11 });
    expect(guard.state.budgetUsed).toBe(spent);
    expect(guard.state.queries).toBe(guard.queries.length);
    expect(guard.budgetRemaining).toBe(2 - spent);
    expect(guard.exhausted).toBe(guard.budgetRemaining === 0);
    // One query per new best, in order: each training value improves on the previous one.
    const trains = guard.queries.map((q) => q.train);
    expect(trains).toEqual([...trains].sort((a, b) => b - a));
    expect(new Set(guard.queries.map((q) => q.trialNumber)).size).toBe(guard.queries.length);
    for (const q of guard.queries) {
      expect(trials.find((t) => t.number === q.trialNumber)?.value).toBe(q.train);
      if (!q.overThreshold) expect(q.answer).toBe(q.train);
    }
    if (!guard.exhausted) expect(trains[trains.length - 1]).toBe(bestValue);

    // The CLI's `show` lines.
    expect(holdoutLines(detail.strategy)).toEqual([
      expect.stringMatching(new RegExp(`^Final \\(holdout seeds 100000\\.\\.100063\\): [\\d.e-]+ ± [\\d.e-]+ \\(n = 64, trial #${best.number}\\)$`)),
      `Thresholdout budget: ${guard.budgetRemaining} / 2`,
    ]);
  });
});
