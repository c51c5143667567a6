import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussianFlowSolution, getNoiseSchedule, gmmDenoiser } from '@stepwise/core';
import { openTestbed } from './open';
import { computeReference, initialNoiseBatch, ReferenceCache, type ReferenceModel } from './reference';
import { releaseSessions } from './runtime';
import { getTestbed } from './testbeds';

let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-refs-'));
});
afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('reference endpoints', () => {
  it('single Gaussian: the closed form, cached in memory and on disk, recomputed when the file is bad', async () => {
    const tb = getTestbed('gaussian-1');
    const model: ReferenceModel = { sha256: tb.onnx().sha256, dim: tb.dim, schedule: 'vp-linear', gaussian: tb.gaussian };
    const req = { seed: 3, start: 10, end: 14 };
    const cache = new ReferenceCache({ modelDir });
    const ref = await cache.get(model, req);
    const noise = getNoiseSchedule('vp-linear');
    const exact = gaussianFlowSolution(tb.gaussian!, noise, initialNoiseBatch(3, 10, 14, 8), noise.tMax, noise.tMinDefault);
    expect(maxAbsDiff(ref, exact)).toBeLessThan(1e-6);
    expect(cache.computed).toBe(1);
    expect(await cache.get(model, req)).toBe(ref); // memory hit

    const rel = ReferenceCache.relativePath(model, req);
    expect(rel).toBe(`refs/${model.sha256}/closed-form/3-10-14.f32`);
    const file = path.join(modelDir, rel);
    expect((await fs.stat(file)).size).toBe(4 * 8 * 4);

    const fresh = new ReferenceCache({ modelDir });
    expect(Array.from(await fresh.get(model, req))).toEqual(Array.from(ref)); // disk hit
    expect(fresh.computed).toBe(0);

    await fs.writeFile(file, new Uint8Array(7)); // truncated/corrupt
    const repaired = new ReferenceCache({ modelDir });
    expect(Array.from(await repaired.get(model, req))).toEqual(Array.from(ref));
    expect(repaired.computed).toBe(1);
    expect((await fs.stat(file)).size).toBe(4 * 8 * 4);

    // Other intervals are other files.
    expect(ReferenceCache.relativePath(model, { ...req, tEnd: 0.01 })).toBe(`refs/${model.sha256}/closed-form_t1-0.01/3-10-14.f32`);
  });

  it('GMM: the high-NFE solver has converged, and the ONNX reference agrees with the float64 model', async () => {
    const opened = await openTestbed('gmm-2d', { modelDir, threads: 1 });
    const req = { seed: 1, start: 0, end: 64 };
    const cache = new ReferenceCache({ modelDir, maxBytes: 1 << 20 });
    const [a, b] = await Promise.all([cache.get(opened.reference, req), cache.get(opened.reference, req)]);
    expect(a).toBe(b); // one computation for concurrent callers
    expect(cache.computed).toBe(1);
    expect(ReferenceCache.relativePath(opened.reference, req)).toBe(`refs/${opened.info.sha256}/unipc-bh2-nfe500/1-0-64.f32`);

    const analytic = { ...opened.reference, denoiser: gmmDenoiser(opened.testbed.gmm, opened.noise), modelInput: 'float64' as const };
    const f500 = await computeReference(analytic, req);
    const f1500 = await computeReference(analytic, { ...req, solver: { preset: 'unipc-bh2', nfe: 1500 } });
    expect(maxAbsDiff(f500, f1500)).toBeLessThan(2e-5); // solver error of the default
    expect(maxAbsDiff(a, f1500)).toBeLessThan(4e-4); // float32 model floor (radius-2 ring)
    // The endpoints land on the ring's modes (radius ~2), not in between.
    for (let i = 0; i < 64; i++) expect(Math.abs(Math.hypot(a[2 * i], a[2 * i + 1]) - 2)).toBeLessThan(0.8);
  });
});
