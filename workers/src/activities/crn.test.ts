import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZSamplerObjective, statsOf, sampleVariance } from '@stepwise/core';
import { createSamplerEvaluator } from './sampler-block';

/**
 * Common random numbers: two presets compared on the same seeds have a much less variable
 * difference than on independent seeds. Real ONNX model (gmm-64d) through onnxruntime.
 */
describe('common random numbers on gmm-64d', () => {
  it('cut the variance of a paired difference at least 5x against independent seeds', async () => {
    const evaluate = createSamplerEvaluator({ modelDir: mkdtempSync(join(tmpdir(), 'crn-')), device: 'cpu' });
    // Exact negative log-likelihood of the samples: it depends mostly on where a sample lands, which
    // common seeds share. (For RMSE to the reference the measured gain is smaller, 1.6-3.9x.)
    const a = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-64d', preset: 'dpmpp-2m', nfe: 10, metric: 'nll' });
    const b = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-64d', preset: 'unipc-bh2', nfe: 10, metric: 'nll' });
    const n = 256;
    const x = (await evaluate(a, 1, 0, n)).values;
    const ySame = (await evaluate(b, 1, 0, n)).values;
    const yIndependent = (await evaluate(b, 2, 0, n)).values;
    const diff = (u: Float64Array, v: Float64Array) => u.map((ui, i) => ui - v[i]);
    const paired = sampleVariance(statsOf(diff(x, ySame)));
    const independent = sampleVariance(statsOf(diff(x, yIndependent)));
    console.info(`CRN variance reduction on gmm-64d (dpmpp-2m vs unipc-bh2, NFE 10, nll): ${(independent / paired).toFixed(1)}x`);
    expect(independent / paired).toBeGreaterThan(5);
  }, 120_000);
});
