import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDpmSolverV3, sampleDcSolver, sampleDpmSolverV3 } from '@stepwise/core';
import { openTestbed } from './open';
import { initialNoiseBatch, ReferenceCache } from './reference';
import { releaseSessions } from './runtime';
import { SolverStatisticsCache, type StatisticsModel } from './solver-statistics';

let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-stats-'));
});
afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

describe('solver statistics on the compute worker (real ONNX model)', () => {
  it('EMS and DC ratios are computed once per model checksum, read back from disk, recomputed when the file is bad, and drive the samplers', async () => {
    const opened = await openTestbed('gmm-2d', { modelDir });
    const model = opened.reference as StatisticsModel;
    const references = new ReferenceCache({ modelDir });
    const stats = new SolverStatisticsCache({ modelDir, references });
    const ems = await stats.ems(model, { seed: 1, steps: 24, samples: 32 });
    expect(stats.computed).toBe(1);
    const file = path.join(modelDir, 'stats', model.sha256, 'ems-24-32-1.json');
    await fs.access(file);
    const again = await new SolverStatisticsCache({ modelDir, references }).ems(model, { seed: 1, steps: 24, samples: 32 });
    expect(Array.from(again.l.slice(0, 4)).map((v) => Number(v.toPrecision(6)))).toEqual(Array.from(ems.l.slice(0, 4)).map((v) => Number(v.toPrecision(6))));
    await fs.writeFile(file, '{"version": 2}');
    const fresh = new SolverStatisticsCache({ modelDir, references });
    await fresh.ems(model, { seed: 1, steps: 24, samples: 32 });
    expect(fresh.computed).toBe(1);
    // Statistics of a 2-D mixture at high noise: l near 1 (eps ~ x there), finite everywhere.
    expect(ems.l[0]).toBeGreaterThan(0.9);
    expect([...ems.l, ...ems.s, ...ems.b].every(Number.isFinite)).toBe(true);

    // Two concurrent requests share one computation.
    const [ratios, twin] = await Promise.all([stats.dcRatios(model, { nfe: 6, seed: 1 }), stats.dcRatios(model, { nfe: 6, seed: 1 })]);
    expect(twin).toBe(ratios);
    expect(ratios).toHaveLength(6);
    expect(ratios.slice(0, 2)).toEqual([1, 1]);
    expect((await stats.dcRatios(model, { nfe: 6, seed: 1 }))).toEqual(ratios);
    expect(stats.computed).toBe(2);

    const xT = initialNoiseBatch(0, 0, 8, 2);
    const v3 = await sampleDpmSolverV3({ model: opened.denoiser, xT, batch: 8, dim: 2, plan: planDpmSolverV3(ems, { nfe: 6 }, opened.noise) });
    const dc = await sampleDcSolver({ model: opened.denoiser, xT, batch: 8, dim: 2, noise: opened.noise, nfe: 6, ratios });
    expect(v3.x0.every(Number.isFinite) && dc.x0.every(Number.isFinite)).toBe(true);
  });

  it('keys name what the statistics depend on: another end time, a conditional variant, karras rho', async () => {
    const opened = await openTestbed('gmm-2d', { modelDir });
    const model = opened.reference as StatisticsModel;
    const references = new ReferenceCache({ modelDir });
    const stats = new SolverStatisticsCache({ modelDir, references });
    const dir = path.join(modelDir, 'stats', model.sha256);
    const base = await stats.ems(model, { seed: 2, steps: 16, samples: 16 });
    const late = await stats.ems(model, { seed: 2, steps: 16, samples: 16, tEnd: 0.01 });
    await stats.ems(model, { seed: 2, steps: 16, samples: 16, variant: 'g1-lall' });
    expect(stats.computed).toBe(3);
    expect(late.tEnd).toBe(0.01);
    expect(base.tEnd).toBe(opened.noise.tMinDefault);
    await stats.dcRatios(model, { nfe: 5, seed: 2, spacing: 'karras', rho: 3 });
    await stats.dcRatios(model, { nfe: 5, seed: 2, spacing: 'karras' });
    const files = (await fs.readdir(dir)).filter((f) => f.includes('-2')).sort();
    expect(files).toEqual(expect.arrayContaining([
      'ems-16-16-2.json', 'ems-16-16-2-t0.01.json', 'ems-16-16-2-g1-lall.json',
      'dc-karras-rho3-nfe5-10-2-r0.5-1.5.json', 'dc-karras-nfe5-10-2-r0.5-1.5.json',
    ]));
    // A variant's calibration samples are its own reference endpoints, cached under their own key.
    await fs.access(path.join(modelDir, 'refs', `${model.sha256}-g1-lall`));
  });
});
