import { describe, expect, it } from 'vitest';
import { createGmm, gmmLogDensity, sampleGmmBatch } from '../sampling/gaussian';
import { getNoiseSchedule } from '../sampling/noise-schedules';
import { gmmNllStat } from './gmm-nll';
import { rmseStat } from './rmse';

describe('trajectory RMSE statistic', () => {
  it('computes sqrt(mean squared error) and merges blocks exactly', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6), ref = Float64Array.of(1, 2, 4, 4, 5, 8); // errors 0,0,1 | 0,0,2
    const whole = rmseStat.finalize(rmseStat.add(rmseStat.empty(), { x, reference: ref, dim: 3 }));
    expect(whole.mse).toBeCloseTo(5 / 6, 15);
    expect(whole.rmse).toBeCloseTo(Math.sqrt(5 / 6), 15);
    expect(whole.n).toBe(2);
    // per-sample MSEs 1/3 and 4/3: stderr = sd/sqrt(2) = |4/3 - 1/3| / sqrt(2) / sqrt(2)
    expect(whole.mseStderr).toBeCloseTo(0.5, 14);
    const a = rmseStat.add(rmseStat.empty(), { x: x.subarray(0, 3), reference: ref.subarray(0, 3), dim: 3 });
    const b = rmseStat.add(rmseStat.empty(), { x: x.subarray(3), reference: ref.subarray(3), dim: 3 });
    expect(rmseStat.finalize(rmseStat.merge(a, JSON.parse(JSON.stringify(b))))).toEqual(whole);
    expect(() => rmseStat.add(rmseStat.empty(), { x, reference: ref.subarray(1), dim: 3 })).toThrow(/differ/);
  });
});

describe('exact GMM negative log-likelihood statistic', () => {
  it('is the mean of -log p over samples, merges, and matches the entropy of a Gaussian', () => {
    const d = 4, s2 = 0.3;
    const g = createGmm({ weights: [1], means: [[1, -1, 0, 2]], variances: [s2] });
    const x = sampleGmmBatch(g, 1, 0, 4000);
    const st = gmmNllStat.add(gmmNllStat.empty(), { gmm: g, x });
    const r = gmmNllStat.finalize(st);
    const direct = -gmmLogDensity(g, getNoiseSchedule('vp-linear'), x, 0).reduce((s, v) => s + v, 0) / 4000;
    expect(r.nll).toBeCloseTo(direct, 12);
    const entropy = 0.5 * d * Math.log(2 * Math.PI * Math.E * s2);
    expect(Math.abs(r.nll - entropy)).toBeLessThan(4 * r.stderr);
    expect(r.nllPerDim).toBeCloseTo(r.nll / d, 14);
    const a = gmmNllStat.add(gmmNllStat.empty(), { gmm: g, x: x.subarray(0, 1000 * d) });
    const b = gmmNllStat.add(gmmNllStat.empty(), { gmm: g, x: x.subarray(1000 * d) });
    const m = gmmNllStat.finalize(gmmNllStat.merge(a, b));
    expect(m.nll).toBeCloseTo(r.nll, 12);
    expect(m.stderr).toBeCloseTo(r.stderr, 12);
    // Samples far from the data have a larger NLL.
    const far = Float64Array.from(x, (v) => v + 3);
    expect(gmmNllStat.finalize(gmmNllStat.add(gmmNllStat.empty(), { gmm: g, x: far })).nll).toBeGreaterThan(r.nll + 10);
  });
});
