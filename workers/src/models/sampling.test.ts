import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPresetSchedule, gaussianFlowSolution, planUsf, sampleUsf } from '@stepwise/core';
import { rmseStat } from '@stepwise/core/metrics/index';
import { openTestbed } from './open';
import { initialNoiseBatch, ReferenceCache } from './reference';
import { releaseSessions, runModel } from './runtime';

/** End to end: testbed file -> registry -> onnxruntime -> USF sampler -> metrics. */

let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-sampling-'));
});
afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

describe('sampling ONNX testbeds with the USF solver', () => {
  it('gaussian-1: a high-NFE preset through onnxruntime reaches the closed-form flow endpoint to 1e-4', async () => {
    const opened = await openTestbed('gaussian-1', { modelDir, threads: 1 });
    const batch = 16, dim = opened.info.dim;
    const xT = initialNoiseBatch(7, 0, batch, dim);
    const schedule = buildPresetSchedule('unipc-bh2', 100);
    const { x0, nfe } = await sampleUsf({ model: opened.denoiser, xT, batch, dim, schedule });
    expect(nfe).toBe(100);
    const noise = opened.noise;
    const exact = gaussianFlowSolution(opened.testbed.gaussian!, noise, xT, noise.tMax, noise.tMinDefault);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(x0[i] - exact[i]));
    expect(worst).toBeLessThan(1e-4);
    // ... and the reference cache serves that closed form to the RMSE statistic.
    const ref = await new ReferenceCache({ modelDir }).get(opened.reference, { seed: 7, start: 0, end: batch });
    const rmse = rmseStat.finalize(rmseStat.add(rmseStat.empty(), { x: x0, reference: ref, dim })).rmse;
    expect(rmse).toBeLessThan(3e-5);
  });

  it('gmm-64d: trajectory RMSE to the reference falls with NFE (DPM-Solver++(2M))', async () => {
    const opened = await openTestbed('gmm-64d', { modelDir, threads: 1 });
    const batch = 32, dim = opened.info.dim;
    const ref = await new ReferenceCache({ modelDir }).get(opened.reference, { seed: 2, start: 0, end: batch });
    const xT = initialNoiseBatch(2, 0, batch, dim);
    const rmse: number[] = [];
    for (const nfe of [5, 10, 20]) {
      const { x0 } = await sampleUsf({ model: opened.denoiser, xT, batch, dim, schedule: buildPresetSchedule('dpmpp-2m', nfe) });
      rmse.push(rmseStat.finalize(rmseStat.add(rmseStat.empty(), { x: x0, reference: ref, dim })).rmse);
    }
    expect(rmse[1]).toBeLessThan(rmse[0] / 2);
    expect(rmse[2]).toBeLessThan(rmse[1] / 2);
  });

  it('gmm-cifar: timings of one batch-64 model call and of a DPM-Solver++(2M) NFE-10 run (printed)', async () => {
    const opened = await openTestbed('gmm-cifar', { modelDir });
    const batch = 64, dim = opened.info.dim;
    const xT = initialNoiseBatch(1, 0, batch, dim);
    const x32 = Float32Array.from(xT);
    for (let i = 0; i < 3; i++) await runModel(opened.session, x32, 0.5, batch, { shape: opened.info.shape }); // warm-up
    const calls: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      await opened.denoiser(x32, 0.05 + i / 16, batch);
      calls.push(performance.now() - t0);
    }
    const schedule = buildPresetSchedule('dpmpp-2m', 10);
    const plan = planUsf(schedule);
    const runs: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      await sampleUsf({ model: opened.denoiser, xT, batch, dim, schedule, plan });
      runs.push(performance.now() - t0);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    const call = median(calls), run = median(runs);
    const overhead = (run - 10 * call) / run;
    console.log(
      `[bench] gmm-cifar batch ${batch} (D=${dim}, K=64), ${opened.session.provider}: model call median ${call.toFixed(2)} ms; ` +
        `dpmpp-2m NFE 10 median ${run.toFixed(1)} ms; solver overhead ${(100 * overhead).toFixed(1)}% of the run`,
    );
    expect(run).toBeGreaterThan(0);
  });
});
