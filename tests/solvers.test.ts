import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import type { EvaluationSummary } from '@stepwise/core';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * The statistics-based presets (issue #12): dpm-solver-v3 (empirical model statistics) and
 * dc-solver (compensation ratios) in sampler and evaluate studies, run through Temporal, a compute
 * worker, onnxruntime and the worker's statistics cache on the gmm-64d testbed. The sampler bench
 * (bench/results/sampler.json, gmm-cifar, logSNR) has both below DPM-Solver++(2M) at NFE 10
 * (0.046 and 0.026 against 0.054): the studies below check the same order on gmm-64d, paired on
 * the same seeds.
 */
const w = testWorkerEnv('solvers');
const modelEnv = { STEPWISE_MODEL_DIR: '.data/test-solvers/models' };
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w), startCompute(w, 'solvers-compute', modelEnv)])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('dpm-solver-v3 and dc-solver presets', () => {
  it('a sampler grid over presets: both finite with intervals, and below DPM-Solver++(2M) at NFE 10 on the same seeds', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'statistics presets', kind: 'grid',
        objective: {
          type: 'sampler', model: 'gmm-64d', metric: 'rmse', nfe: 10,
          estimation: { minSamples: 512, maxSamples: 512, blockSize: 64 },
        },
        space: [{ type: 'categorical', name: 'preset', choices: ['dpmpp-2m', 'dpm-solver-v3', 'dc-solver'] }],
        budget: { trials: 3, parallel: 3 },
        seed: 7,
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id } });
    expect(trials).toHaveLength(3);
    const byPreset = new Map(trials.map((t) => [(t.params as { preset: string }).preset, t]));
    for (const [preset, t] of byPreset) {
      expect(t.status).toBe('completed');
      expect(Number.isFinite(t.value)).toBe(true);
      expect(t.ciLow!).toBeLessThan(t.value!);
      expect(t.ciHigh!).toBeGreaterThan(t.value!);
      expect(t.n).toBe(512);
      expect(t.costNfe).toBe(10);
      const rows = await db.trialBlock.findMany({ where: { trialId: t.id } });
      expect(rows.reduce((s, r) => s + (r.seedEnd - r.seedStart), 0), preset).toBe(512);
    }
    // The same 512 seeds for every trial (common random numbers); the paired intervals are the races' below.
    const base = byPreset.get('dpmpp-2m')!;
    for (const preset of ['dpm-solver-v3', 'dc-solver']) expect(byPreset.get(preset)!.value!, preset).toBeLessThan(base.value!);
  });

  it('evaluate races against DPM-Solver++(2M): each statistics preset wins on holdout seeds with a paired interval that excludes zero', async () => {
    const refused = await service.launchStudy({
      source: 'client',
      config: {
        name: 'calibration per candidate', kind: 'evaluate',
        objective: { type: 'sampler', model: 'gmm-64d', metric: 'rmse', nfe: 10 },
        candidates: [{ preset: 'dpmpp-2m' }, { preset: 'dc-solver', calibration: { dcSamples: 10 } }],
        budget: { trials: 2 },
      },
    }).catch((e) => e);
    // `calibration` is a study-wide objective field, not a candidate's: refused naming the field.
    expect((refused as { issues: Array<{ field: string }> }).issues.map((i) => i.field)).toContain('candidates.1.calibration');

    const race = (preset: string) => service.launchStudy({
      source: 'client',
      config: {
        name: `${preset} against dpmpp-2m`, kind: 'evaluate',
        objective: {
          type: 'sampler', model: 'gmm-64d', metric: 'rmse', nfe: 10, calibration: { dcSamples: 10, emsSamples: 256 },
          estimation: { minSamples: 64, maxSamples: 256, blockSize: 64 },
        },
        candidates: [{ preset: 'dpmpp-2m' }, { preset }],
        holdout: { start: 100_000, size: 512 },
        budget: { trials: 2, parallel: 2 },
        seed: 11,
      },
    });
    const studies = await Promise.all(['dpm-solver-v3', 'dc-solver'].map(race));
    for (const study of studies) {
      expect((await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
      const row = await db.study.findUniqueOrThrow({ where: { id: study.id } });
      const summary = row.strategyState as unknown as EvaluationSummary;
      expect(summary.source).toBe('holdout');
      expect(summary.ranking.every((r) => Number.isFinite(r.mean) && r.ciLow < r.mean && r.mean < r.ciHigh && r.n === 512)).toBe(true);
      const [best, second] = summary.ranking;
      expect(best.params.preset, row.name).not.toBe('dpmpp-2m');
      expect(second.params.preset).toBe('dpmpp-2m');
      // dpmpp-2m minus the winner, paired on the same 512 holdout seeds: above zero.
      expect(second.vsBest!.ciLow, row.name).toBeGreaterThan(0);
    }
  });

  it('refuses bad calibration settings at launch, naming the field', async () => {
    const err = await service
      .launchStudy({
        source: 'client',
        config: {
          name: 'bad calibration', kind: 'grid',
          objective: { type: 'sampler', model: 'gmm-64d', preset: 'dc-solver', calibration: { dcFitNfes: [2, 8], emsSamples: 1 } },
          space: [{ type: 'categorical', name: 'nfe', choices: [5, 10] }],
          budget: { trials: 2 },
        },
      })
      .catch((e) => e);
    const fields = (err as { issues: Array<{ field: string; message: string }> }).issues;
    expect(fields.map((i) => i.field)).toEqual(expect.arrayContaining(['objective.calibration.dcFitNfes.0', 'objective.calibration.emsSamples']));
    expect(fields.find((i) => i.field === 'objective.calibration.dcFitNfes.0')!.message).toMatch(/at least 3/);
  });
});
