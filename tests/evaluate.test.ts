import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { ManagedProcess } from '../infra/stack/processes';
import type { EvaluationSummary } from '@stepwise/core';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/** `evaluate` studies: racing under common random numbers, final numbers from a holdout. */
const w = testWorkerEnv('evaluate');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w), startCompute(w, 'evaluate-compute', { STEPWISE_MODEL_DIR: '.data/test/models' })])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('evaluate studies', () => {
  it('race four solver configurations, drop the clearly worse early, rank on holdout seeds with paired intervals', async () => {
    const maxSamples = 512;
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'race on gmm-64d', kind: 'evaluate',
        objective: { type: 'sampler', model: 'gmm-64d', metric: 'rmse', estimation: { minSamples: 32, maxSamples, blockSize: 32 } },
        candidates: [
          { preset: 'ddim', nfe: 5 },
          { preset: 'ddim', nfe: 10 },
          { preset: 'dpmpp-2m', nfe: 10 },
          { preset: 'unipc-bh2', nfe: 10 },
        ],
        holdout: { start: 100_000, size: 128 },
        budget: { trials: 4, parallel: 4 },
        seed: 5,
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    const row = await db.study.findUniqueOrThrow({ where: { id: study.id } });
    const summary = row.strategyState as unknown as EvaluationSummary;
    expect(summary.source).toBe('holdout');
    expect(summary.ranking).toHaveLength(4);
    const means = summary.ranking.map((r) => r.mean);
    expect(means).toEqual([...means].sort((a, b) => a - b));
    const ddim5 = summary.ranking.find((r) => r.params.preset === 'ddim' && r.params.nfe === 5)!;
    // The clearly worst configuration stopped early, and its paired interval excludes zero.
    expect(ddim5.raceSamples).toBeLessThan(maxSamples);
    expect(ddim5.vsBest!.ciLow).toBeGreaterThan(0);
    // Racing spent fewer samples than running every candidate to the cap.
    expect(summary.ranking.reduce((s, r) => s + r.raceSamples, 0)).toBeLessThan(4 * maxSamples);
    // Final numbers are holdout estimates: n equals the holdout size for every candidate.
    expect(summary.ranking.every((r) => r.n === 128 && r.ciLow < r.mean && r.mean < r.ciHigh)).toBe(true);
    const trials = await db.trial.findMany({ where: { studyId: study.id } });
    expect(trials.every((t) => t.status === 'completed' && t.n === 128)).toBe(true);
    // Search-time blocks never touched the holdout seeds.
    const blocks = await db.trialBlock.findMany({ where: { trial: { studyId: study.id } } });
    expect(blocks.every((b) => b.seedEnd <= 100_000)).toBe(true);
  });

  it('rejects a holdout that overlaps search-time seeds, naming the field', async () => {
    const err = await service
      .launchStudy({
        source: 'client',
        config: {
          name: 'bad holdout', kind: 'evaluate',
          objective: { type: 'sampler', model: 'gmm-64d', estimation: { maxSamples: 512 } },
          candidates: [{ preset: 'ddim' }, { preset: 'dpmpp-2m' }],
          holdout: { start: 100, size: 64 },
          budget: { trials: 2 },
        },
      })
      .catch((e) => e);
    expect(err.issues.map((i: { field: string }) => i.field)).toContain('holdout.start');
  });
});
