import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussianFlowSolution, getNoiseSchedule, gmmDenoiser } from '@stepwise/core';
import { openTestbed } from './open';
import { computeReference, initialNoiseBatch, ReferenceCache, type ReferenceModel } from './reference';
import { ComputeError } from './errors';
import { GraphBuilder, TensorDataType } from './onnx-graph';
import { createOnnxDenoiser, getSession, releaseSessions } from './runtime';
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

describe('reference cache on disk: bounded, least recently used first', () => {
  const tb = getTestbed('gaussian-1');
  const model: ReferenceModel = { sha256: tb.onnx().sha256, dim: tb.dim, schedule: 'vp-linear', gaussian: tb.gaussian };
  /** 128 samples x 8 dims x float32 = 4 KiB per file. */
  const req = (seed: number) => ({ seed, start: 0, end: 128 });
  const FILE_BYTES = 128 * 8 * 4;

  async function freshDir(name: string): Promise<string> {
    const dir = path.join(modelDir, name);
    await fs.mkdir(dir);
    return dir;
  }
  const fileOf = (dir: string, seed: number) => path.join(dir, ReferenceCache.relativePath(model, req(seed)));
  const exists = (file: string) => fs.stat(file).then(() => true, () => false);
  async function age(file: string, secondsAgo: number) {
    const t = new Date(Date.now() - secondsAgo * 1000);
    await fs.utimes(file, t, t);
  }

  it('filling it past the bound evicts the oldest files and keeps the newest; a hit makes a file new again', async () => {
    const dir = await freshDir('lru');
    const cache = new ReferenceCache({ modelDir: dir, diskMaxBytes: 3 * FILE_BYTES });
    for (const seed of [1, 2, 3]) await cache.get(model, req(seed));
    expect(cache.evicted).toBe(0);
    expect((await fs.stat(fileOf(dir, 1))).size).toBe(FILE_BYTES);
    // Explicit ages rather than write order: the LRU clock is the file's mtime.
    await age(fileOf(dir, 1), 300);
    await age(fileOf(dir, 2), 200);
    await age(fileOf(dir, 3), 100);

    // Seed 1 is used again (a memory hit here; another worker's disk hit does the same): now newest.
    await cache.get(model, req(1));
    expect((await fs.stat(fileOf(dir, 1))).mtimeMs).toBeGreaterThan((await fs.stat(fileOf(dir, 3))).mtimeMs);

    await cache.get(model, req(4)); // a fourth file: over the bound by one
    expect(cache.evicted).toBe(1);
    expect(await exists(fileOf(dir, 2))).toBe(false); // least recently used
    for (const seed of [1, 3, 4]) expect(await exists(fileOf(dir, seed))).toBe(true);

    await cache.get(model, req(5));
    expect(cache.evicted).toBe(2);
    expect(await exists(fileOf(dir, 3))).toBe(false);
    for (const seed of [1, 4, 5]) expect(await exists(fileOf(dir, seed))).toBe(true);

    // An evicted reference is recomputed (and written again) when asked for.
    const other = new ReferenceCache({ modelDir: dir, diskMaxBytes: 3 * FILE_BYTES });
    await other.get(model, req(2));
    expect(other.computed).toBe(1);
    expect(await exists(fileOf(dir, 2))).toBe(true);
  });

  it('never evicts the file it is serving, even when that one is the oldest', async () => {
    const dir = await freshDir('in-use');
    const cache = new ReferenceCache({ modelDir: dir, diskMaxBytes: FILE_BYTES + FILE_BYTES / 2 });
    await cache.get(model, req(10));
    const future = new Date(Date.now() + 3600_000);
    await fs.utimes(fileOf(dir, 10), future, future); // seed 10 looks newer than anything written now
    const ref = await cache.get(model, req(11));
    expect(ref).toHaveLength(128 * 8);
    expect(await exists(fileOf(dir, 11))).toBe(true);
    expect(await exists(fileOf(dir, 10))).toBe(false);
  });

  it("removes a crashed writer's temporary file, and keeps a file larger than the bound in memory only", async () => {
    const dir = await freshDir('tmp');
    const stale = path.join(dir, 'refs', model.sha256, 'closed-form', '7-0-128.f32.0b6e4c1a.tmp');
    await fs.mkdir(path.dirname(stale), { recursive: true });
    await fs.writeFile(stale, new Uint8Array(3 * FILE_BYTES));
    await age(stale, 3600);
    const cache = new ReferenceCache({ modelDir: dir, diskMaxBytes: 2 * FILE_BYTES });
    await cache.get(model, req(20));
    expect(await exists(stale)).toBe(false);
    expect(await exists(fileOf(dir, 20))).toBe(true);

    const big = { seed: 21, start: 0, end: 3 * 128 }; // 12 KiB > 8 KiB
    await cache.get(model, big);
    expect(await exists(path.join(dir, ReferenceCache.relativePath(model, big)))).toBe(false);
    expect(cache.computed).toBe(2);
    await cache.get(model, big);
    expect(cache.computed).toBe(2); // served from memory
  });
});

describe('reference of a model that outputs NaN', () => {
  it('is an error naming the model, and is not cached', async () => {
    // eps = log(0 * x - 1) = NaN: a real ONNX graph through onnxruntime.
    const g = new GraphBuilder('nan');
    const x = g.input('x', TensorDataType.FLOAT, ['B', 3]);
    g.input('t', TensorDataType.FLOAT, ['B']);
    g.output('eps', TensorDataType.FLOAT, ['B', 3]);
    g.op('Log', [g.sub(g.mul(x, g.scalar(0)), g.scalar(1))], {}, 'eps');
    const session = await getSession({ bytes: g.toModel({ metadata: {} }), name: 'nan.onnx' }, { threads: 1 });
    const noise = getNoiseSchedule('vp-linear');
    const denoiser = createOnnxDenoiser({ model: session, shape: [3], prediction: 'noise', noise });
    const model: ReferenceModel = { sha256: session.sha256, name: 'nan.onnx', dim: 3, schedule: 'vp-linear', denoiser };
    const req = { seed: 1, start: 0, end: 4, solver: { preset: 'ddim' as const, nfe: 2 } };
    const cache = new ReferenceCache({ modelDir });
    const err = await cache.get(model, req).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ComputeError);
    expect((err as ComputeError).kind).toBe('model');
    expect((err as Error).message).toMatch(/^model nan\.onnx: its reference solution \(ddim-nfe2, seed 1, samples 0\.\.3\) contains NaN\/Inf/);
    await expect(fs.stat(path.join(modelDir, ReferenceCache.relativePath(model, req)))).rejects.toThrow(/ENOENT/);
  });
});
