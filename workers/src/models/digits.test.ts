import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CounterRng, frechetDistance, gaussianFitStat, ZSamplerObjective } from '@stepwise/core';
import { createSamplerEvaluator } from '../activities/sampler-block';
import { openFeatureModel } from './feature-model';
import { digitsHeldOut, ensureLearnedModel } from './learned';
import { registerModelFile } from './registry';

/**
 * The learned testbed: a class-conditional noise predictor and a feature network trained on the
 * 8x8 digits (models/digits), run through the project's own ONNX runtime and metrics.
 */
const modelDir = mkdtempSync(join(tmpdir(), 'digits-'));
const evaluate = createSamplerEvaluator({ modelDir, device: 'cpu' });
const SET = 512;

const objective = (preset: string, nfe: number, metric: 'fd_features' | 'class_accuracy', guidance = 1) =>
  ZSamplerObjective.parse({
    type: 'sampler', model: 'digits-eps', featureModel: 'digits-features', preset, nfe, guidance, metric,
    estimation: { minSamples: SET, maxSamples: SET, blockSize: SET },
  });

describe('digits testbed', () => {
  it('both ONNX files load through the runtime and satisfy their contracts', async () => {
    const eps = await registerModelFile(modelDir, await ensureLearnedModel('digits-eps', modelDir));
    expect(eps).toMatchObject({ schedule: 'vp-linear', prediction: 'noise', shape: [64], conditional: true });
    const features = await openFeatureModel(modelDir, await ensureLearnedModel('digits-features', modelDir));
    expect(features.classes).toBe(10);
    expect(features.featureDim).toBeGreaterThan(8);
  });

  it('generated digits are far closer to held-out digits than noise or the mean image, and of their label', async () => {
    const fm = await openFeatureModel(modelDir, await ensureLearnedModel('digits-features', modelDir));
    const held = await digitsHeldOut();
    const fit = (x: Float32Array, n: number) => fm.run(x, n).then(({ features }) => gaussianFitStat.finalize(gaussianFitStat.add(gaussianFitStat.empty(fm.featureDim), features)));
    const ref = await fit(held.x, held.n);
    const fd = (f: { mean: Float64Array; covariance: Float64Array }) => frechetDistance(f.mean, f.covariance, ref.mean, ref.covariance, fm.featureDim);
    const rng = new CounterRng(9, 0);
    const noise = Float32Array.from({ length: SET * 64 }, () => Math.max(-1, Math.min(1, rng.normal())));
    const meanImage = new Float32Array(64);
    for (let i = 0; i < held.n; i++) for (let d = 0; d < 64; d++) meanImage[d] += held.x[i * 64 + d] / held.n;
    const means = new Float32Array(SET * 64);
    for (let i = 0; i < SET; i++) means.set(meanImage, i * 64);
    const fdNoise = fd(await fit(noise, SET));
    const fdMean = fd(await fit(means, SET));
    const generated = (await evaluate(objective('dpmpp-2m', 50, 'fd_features'), 0, 0, SET)).values[0];
    const accuracy = (await evaluate(objective('dpmpp-2m', 50, 'class_accuracy'), 0, 0, SET)).values.reduce((a, b) => a + b, 0) / SET;
    console.info(`digits: fd generated ${generated.toFixed(2)}, noise ${fdNoise.toFixed(2)}, mean image ${fdMean.toFixed(2)}; class accuracy ${accuracy.toFixed(3)}`);
    expect(generated).toBeLessThan(fdNoise / 20);
    expect(generated).toBeLessThan(fdMean / 20);
    expect(accuracy).toBeGreaterThan(0.9); // measured 0.988; chance is 0.1
  }, 120_000);

  it('fd_features falls as NFE grows from 2 to 20 for DPM-Solver++(2M)', async () => {
    const at = async (nfe: number) => (await evaluate(objective('dpmpp-2m', nfe, 'fd_features'), 1, 0, SET)).values[0];
    const [fd2, fd5, fd20] = [await at(2), await at(5), await at(20)];
    console.info(`digits fd_features dpmpp-2m: NFE 2 ${fd2.toFixed(2)}, 5 ${fd5.toFixed(2)}, 20 ${fd20.toFixed(2)}`);
    expect(fd20).toBeLessThan(fd5);
    expect(fd5).toBeLessThan(fd2);
  }, 120_000);
});
