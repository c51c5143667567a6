import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NON_RETRYABLE_COMPUTE_ERRORS, ZSamplerObjective, createGmm, resolveSamplerObjective, scheduleNfe, ZSolverSchedule, type SamplerBlockInput,
} from '@stepwise/core';
import { releaseSessions } from '../models/runtime';
import { createEvaluateSamplerBlock } from './sampler-block';
import { endpointErrors, nearestComponents, type EndpointStats } from './endpoint-stats';
import { inActivityContext } from './test-context';

/**
 * A trial whose params hold a whole solver schedule, through the real compute activity on the
 * gmm-2d testbed (ONNX through onnxruntime): its cost is the schedule's own NFE, a bad schedule
 * fails non-retryably naming the field, a schedule that ends elsewhere than the study's end time
 * is refused under rmse, and the block stats carry the pooled-RMSE sums and the wrong-component count.
 */

let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-schedule-trial-'));
});
afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

/** 3 steps, one intermediate point (4 NFE), ending at vp-linear's default end time 1e-3. */
const schedule = {
  noiseSchedule: 'vp-linear',
  timesteps: { spacing: 'explicit', values: [1, 0.3, 0.05, 0.001] },
  steps: [
    { prediction: 'data', order: 1 },
    { prediction: 'data', order: 2, intermediate: [{ r: 0.5, order: 1 }] },
    { prediction: 'data', order: 2 },
  ],
};
const study = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-2d', preset: 'dpmpp-2m', nfe: 10, metric: 'rmse' });
const run = () => createEvaluateSamplerBlock({ identity: 'w', modelDir, device: 'cpu', maxSamplesPerActivity: 4096 });

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('a trial with a schedule parameter', () => {
  it('costs the schedule\'s own NFE and records the pooled-RMSE sums and the wrong-component count', async () => {
    const objective = resolveSamplerObjective(study, { schedule });
    const out = await inActivityContext(() => run()({ objective, seed: 3, start: 0, end: 256, returnValues: true }));
    expect(out.nfe).toBe(scheduleNfe(ZSolverSchedule.parse(schedule)));
    expect(out.nfe).toBe(4);
    const stats = out.stats as EndpointStats;
    expect(stats.n).toBe(256);
    expect(stats.seed).toBe(3);
    // sumMse is the sum of squared per-sample RMSEs: pooled RMSE >= mean RMSE (Jensen), equal only if all are the same.
    const values = out.values!;
    expect(stats.sumMse).toBeCloseTo(values.reduce((s, v) => s + v * v, 0), 9);
    expect(Math.sqrt(stats.sumMse / stats.n)).toBeGreaterThan(stats.mean);
    expect(Number.isInteger(stats.wrongComponent)).toBe(true);
    expect(stats.wrongComponent).toBeGreaterThanOrEqual(0);
    expect(stats.wrongComponent).toBeLessThanOrEqual(256);
    // The preset the study names costs its 10 NFE: the schedule replaced it for this trial only.
    const preset = await inActivityContext(() => run()({ objective: study, seed: 3, start: 0, end: 8 }));
    expect(preset.nfe).toBe(10);
  }, 120_000);

  it('a bad schedule fails non-retryably, naming the field', async () => {
    // As a workflow would send params it did not re-validate: the activity checks them itself.
    const bad = { ...study, schedule: { ...schedule, steps: [schedule.steps[0], { prediction: 'data', order: 9 }, schedule.steps[2]] } } as unknown as SamplerBlockInput['objective'];
    const err = await failure(inActivityContext(() => run()({ objective: bad, seed: 1, start: 0, end: 4 })));
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.input);
    expect(err.message).toMatch(/^objective\.schedule\.steps\.1\.order: /);
  });

  it('under rmse a schedule ending elsewhere than the study end time is refused, never scored against its own endpoint', async () => {
    const early = { ...schedule, timesteps: { spacing: 'explicit', values: [1, 0.3, 0.05, 0.02] } };
    const err = await failure(inActivityContext(() => run()({ objective: resolveSamplerObjective(study, { schedule: early }), seed: 1, start: 0, end: 4 })));
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.input);
    expect(err.message).toMatch(/^objective\.schedule\.timesteps: the schedule ends at t = 0\.02 but the study's end time is 0\.001/);
    // With the study's end time at 0.02 it is scored there, like every other candidate of that study.
    const at002 = resolveSamplerObjective({ ...study, tEnd: 0.02 }, { schedule: early });
    const ok = await inActivityContext(() => run()({ objective: at002, seed: 1, start: 0, end: 8 }));
    expect(ok.stats.n).toBe(8);
  }, 60_000);
});

describe('endpoint errors', () => {
  const gmm = createGmm({ weights: [0.5, 0.5], means: [[-1, 0], [1, 0]], variances: [0.05, 0.05] });

  it('finds the nearest component by posterior responsibility', () => {
    expect(Array.from(nearestComponents(gmm, [-0.9, 0.1, 1.2, -0.3, 0.01, 0], 3))).toEqual([0, 1, 1]);
    // A much wider component takes far points even when a narrow one's mean is nearer.
    const wide = createGmm({ weights: [0.5, 0.5], means: [[0, 0], [3, 0]], variances: [0.01, 4] });
    expect(Array.from(nearestComponents(wide, [1, 0], 1))).toEqual([1]);
  });

  it('counts samples in another component than their reference and sums the MSE', () => {
    const x = [-1, 0, 1, 0, 0.9, 0];
    const ref = [-1, 0, -1, 0, 1, 0];
    const e = endpointErrors(x, ref, 3, 2, gmm);
    expect(e.wrongComponent).toBe(1);
    expect(e.values[0]).toBe(0);
    expect(e.values[1]).toBeCloseTo(Math.sqrt(2), 12);
    expect(e.values[2]).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(e.sumMse).toBeCloseTo(2 + 0.005, 12);
    expect(endpointErrors(x, ref, 3, 2).wrongComponent).toBeUndefined();
  });
});
