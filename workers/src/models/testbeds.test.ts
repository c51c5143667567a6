import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNoiseSchedule, gmmEps, sampleGmmBatch } from '@stepwise/core';
import { gmmChecksum } from './gmm-onnx';
import { openTestbed } from './open';
import { registerModelFile } from './registry';
import { releaseSessions } from './runtime';
import { ensureTestbedModel, ensureTestbedModels, getTestbed, TESTBED_NAMES } from './testbeds';

let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-testbeds-'));
});
afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

describe('built-in testbeds', () => {
  it('have the documented sizes and image-like scales', () => {
    const sizes = Object.fromEntries(TESTBED_NAMES.map((n) => [n, [getTestbed(n).dim, getTestbed(n).gmm.weights.length]]));
    expect(sizes).toEqual({ 'gaussian-1': [8, 1], 'gmm-2d': [2, 8], 'gmm-64d': [64, 16], 'gmm-cifar': [3072, 64] });
    expect(getTestbed('gaussian-1').gaussian).toBeDefined();
    const cifar = getTestbed('gmm-cifar');
    expect(cifar.shape).toEqual([3, 32, 32]);
    const means = cifar.gmm.means;
    let lo = Infinity, hi = -Infinity;
    for (const m of means) {
      lo = Math.min(lo, m);
      hi = Math.max(hi, m);
    }
    expect(hi).toBeLessThanOrEqual(1);
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi - lo).toBeGreaterThan(1.5); // uses the range
    for (const v of cifar.gmm.variances) expect(Math.sqrt(v)).toBeLessThanOrEqual(0.15);
    // Neighbouring pixels correlate (smooth means), unlike white noise.
    let same = 0, total = 0;
    for (let k = 0; k < 64; k++) for (let p = 0; p < 1023; p++) {
      if (p % 32 === 31) continue;
      total++;
      if (Math.abs(means[k * 3072 + p] - means[k * 3072 + p + 1]) < 0.3) same++;
    }
    expect(same / total).toBeGreaterThan(0.8);
    // The ring: 8 modes at radius ~2.
    const ring = getTestbed('gmm-2d').gmm.means;
    for (let k = 0; k < 8; k++) expect(Math.hypot(ring[2 * k], ring[2 * k + 1])).toBeCloseTo(2, 10);
  });

  it('are deterministic: fixed seeds give pinned parameter checksums', () => {
    // Pinned: a change here changes every stored reference and every study's model sha.
    const pinned: Record<string, string> = {
      'gaussian-1': 'f802fa0a16fbe4803b4eeba1973a731126ba87c1e8dbe48cca90f53b4306d174',
      'gmm-2d': '882c52f46be130bbcd1577a62cd410bf3c3ce19697c3d23d2f8818e7586c1166',
      'gmm-64d': 'aaf3119627f929791a56ce27cda5ed2fbbb2c8bb9f194a75eb5ea9a9f332ee55',
      'gmm-cifar': 'f87ec80fa91859bab9729ce09b8855cb89bed210e8b11879f9dbe0a0af321d43',
    };
    for (const name of TESTBED_NAMES) {
      const tb = getTestbed(name);
      expect(gmmChecksum(tb.gmm), name).toBe(pinned[name]);
      expect(tb.onnx().metadata['stepwise.gmm.checksum']).toBe(pinned[name]);
    }
    expect(() => getTestbed('nope')).toThrow(/unknown testbed "nope"/);
  });

  it('are written once into the model directory and pass registration', async () => {
    const first = await ensureTestbedModels(modelDir, ['gaussian-1', 'gmm-2d']);
    expect(first.map((w) => w.written)).toEqual([true, true]);
    const again = await ensureTestbedModel('gmm-2d', modelDir);
    expect(again.written).toBe(false);
    // A corrupted file is replaced.
    await fs.writeFile(again.path, 'garbage');
    expect((await ensureTestbedModel('gmm-2d', modelDir)).written).toBe(true);
    const reg = await registerModelFile(modelDir, 'testbeds/gmm-2d.onnx');
    expect(reg.sha256).toBe(getTestbed('gmm-2d').onnx().sha256);
    expect(reg.metadata['stepwise.testbed']).toBe('gmm-2d');
  });

  it('open through the runtime path and match the float64 mixture (gmm-cifar, image-shaped input)', async () => {
    const opened = await openTestbed('gmm-cifar', { modelDir, threads: 2 });
    expect(opened.info.shape).toEqual([3, 32, 32]);
    const gmm = opened.testbed.gmm, noise = getNoiseSchedule('vp-linear');
    const x0 = sampleGmmBatch(gmm, 5, 0, 4);
    const t = 0.2, a = noise.alpha(t), s = noise.sigma(t);
    const x = Float32Array.from(x0, (v, i) => a * v + s * Math.sin(i));
    const eps = await opened.denoiser(x, t, 4);
    const ref = gmmEps(gmm, noise, x, Math.fround(t));
    let num = 0, den = 0;
    for (let i = 0; i < ref.length; i++) {
      num += (eps[i] - ref[i]) ** 2;
      den += ref[i] ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-5);
  });
});
