import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepwiseService } from '@stepwise/service';
import type { Db } from '@stepwise/db';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { kill9, startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Sampler studies end to end: ONNX GMM testbeds run by onnxruntime on compute workers, adaptive
 * per-trial estimation over seed blocks recorded in Postgres, orchestrated by Temporal.
 */
const w = testWorkerEnv('sampler');
const modelEnv = { STEPWISE_MODEL_DIR: '.data/test/models' };
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w), startCompute(w, 'sampler-compute-a', modelEnv)])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

async function blocksOf(trialId: string) {
  return db.trialBlock.findMany({ where: { trialId }, orderBy: { blockIndex: 'asc' } });
}

describe('sampler studies on gmm-64d', () => {
  it('a grid over presets and NFE completes with intervals, and errors fall with NFE', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'gmm-64d presets', kind: 'grid',
        objective: { type: 'sampler', model: 'gmm-64d', metric: 'rmse', estimation: { minSamples: 64, maxSamples: 256, blockSize: 64, targetRelHalfWidth: 0.05 } },
        space: [
          { type: 'categorical', name: 'preset', choices: ['ddim', 'dpmpp-2m', 'unipc-bh2'] },
          { type: 'categorical', name: 'nfe', choices: [5, 10] },
        ],
        budget: { trials: 100, parallel: 3 },
        seed: 7,
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 600_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id } });
    expect(trials).toHaveLength(6);
    const value = (preset: string, nfe: number) => trials.find((t) => (t.params as { preset: string }).preset === preset && (t.params as { nfe: number }).nfe === nfe)!;
    for (const t of trials) {
      expect(t.status).toBe('completed');
      expect(t.ciLow!).toBeLessThan(t.value!);
      expect(t.ciHigh!).toBeGreaterThan(t.value!);
      expect(t.n).toBeGreaterThanOrEqual(64);
      expect(t.costNfe).toBe((t.params as { nfe: number }).nfe);
      const blocks = await blocksOf(t.id);
      expect(blocks.reduce((s, b) => s + (b.seedEnd - b.seedStart), 0)).toBe(t.n);
    }
    for (const preset of ['ddim', 'dpmpp-2m', 'unipc-bh2']) expect(value(preset, 10).value!).toBeLessThan(value(preset, 5).value!);
    expect(value('dpmpp-2m', 10).value!).toBeLessThan(value('ddim', 10).value!);
  });

  it('sweeps the guidance scale of the learned digits model, scored by fd_features with intervals', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'digits guidance', kind: 'grid',
        objective: {
          type: 'sampler', model: 'digits-eps', featureModel: 'digits-features', preset: 'dpmpp-2m', nfe: 10, metric: 'fd_features',
          estimation: { minSamples: 768, maxSamples: 768, blockSize: 256 },
        },
        space: [{ type: 'categorical', name: 'guidance', choices: [1, 4] }],
        budget: { trials: 2, parallel: 2 },
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' } });
    for (const t of trials) {
      expect(t.status).toBe('completed');
      expect(t.n).toBe(768); // three sets of 256
      expect(t.ciLow!).toBeLessThan(t.value!);
    }
    // Strong guidance trades variety for class fidelity: its Fréchet distance is larger.
    expect(trials[1].value!).toBeGreaterThan(trials[0].value!);
  });

  it('draws a sample picture on a compute worker for the dashboard', async () => {
    const grid = await service.renderSamples({ model: 'gmm-2d', preset: 'dpmpp-2m', nfe: 10, count: 256, seed: 0 });
    expect(grid.shape).toEqual([256, 2]);
    expect(grid.nfe).toBe(10);
    const png = Buffer.from(grid.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    await expect(service.renderSamples({ model: 'no-such-model', preset: 'ddim', nfe: 5, count: 4, seed: 0 })).rejects.toThrow();
  });

  it('SIGKILL of the compute worker mid-estimate: same blocks and same estimate as without the crash, no block twice', async () => {
    const config = (name: string) => ({
      name, kind: 'random',
      objective: { type: 'sampler', model: 'gmm-64d', preset: 'dpmpp-2m', nfe: 6, metric: 'rmse', estimation: { minSamples: 32, maxSamples: 3072, blockSize: 32, targetRelHalfWidth: 0.0001 } },
      space: [{ type: 'int', name: 'nfe', low: 6, high: 6 }],
      budget: { trials: 1, parallel: 1 },
      seed: 3,
    });
    const reference = await service.launchStudy({ source: 'client', config: config('no crash') });
    expect((await waitForStatus(service, reference.id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
    const refTrial = await db.trial.findFirstOrThrow({ where: { studyId: reference.id } });

    const crashed = await service.launchStudy({ source: 'client', config: config('with crash') });
    await waitFor('a few blocks before the crash', async () => (await db.trialBlock.count({ where: { trial: { studyId: crashed.id } } })) >= 8, 300_000, 50);
    await kill9(live.pop()!);
    expect(await db.trialBlock.count({ where: { trial: { studyId: crashed.id } } })).toBeLessThan(96);
    live.push(await startCompute(w, 'sampler-compute-b', modelEnv));
    expect((await waitForStatus(service, crashed.id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
    const trial = await db.trial.findFirstOrThrow({ where: { studyId: crashed.id } });

    const [a, b] = [await blocksOf(refTrial.id), await blocksOf(trial.id)];
    expect(b.length).toBe(a.length);
    expect(b.map((x) => [x.blockIndex, x.seedStart, x.seedEnd])).toEqual(a.map((x) => [x.blockIndex, x.seedStart, x.seedEnd]));
    for (let i = 1; i < b.length; i++) expect(b[i].seedStart).toBe(b[i - 1].seedEnd);
    expect(trial.n).toBe(refTrial.n);
    expect(trial.value).toBeCloseTo(refTrial.value!, 12);
  });
});
