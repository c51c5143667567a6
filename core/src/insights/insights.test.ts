import { describe, expect, it } from 'vitest';
import type { TSpace } from '../config/space';
import type { SurrogateObservation } from '../contracts/insights';
import { tInterval } from '../estimation/intervals';
import { statsOf } from '../estimation/running-stats';
import { CounterRng } from '../rng';
import { completeParams, fitSurrogate, mergeBlockSequence, sampleEvenly, selectSurrogatePoints, surrogateAxisIssues, surrogateSlice } from './index';

// The dashboard's insight math (no database): block merging, sampling, surrogate grids.

describe('mergeBlockSequence', () => {
  const rng = new CounterRng(7, 1);
  const samples = Array.from({ length: 50 }, () => 3 + 2 * rng.normal());
  const cuts = [0, 5, 12, 30, 50];
  const blocks = cuts.slice(1).map((end, k) => ({ blockIndex: k, seedStart: cuts[k], seedEnd: end, stats: statsOf(samples.slice(cuts[k], end)) }));

  it('gives, after each block, the statistics of every sample so far with a t-interval', () => {
    const seq = mergeBlockSequence([...blocks].reverse(), 0.9);
    expect(seq.map((p) => p.blockIndex)).toEqual([0, 1, 2, 3]);
    expect(seq.map((p) => p.n)).toEqual([5, 12, 30, 50]);
    seq.forEach((p, k) => {
      const direct = statsOf(samples.slice(0, cuts[k + 1]));
      const est = tInterval(direct, 0.9);
      expect(p.mean).toBeCloseTo(direct.mean, 12);
      expect(p.stderr).toBeCloseTo(est.stderr, 12);
      expect(p.ciLow).toBeCloseTo(est.ciLow, 12);
      expect(p.ciHigh).toBeCloseTo(est.ciHigh, 12);
      expect(p.halfWidth).toBeCloseTo(est.halfWidth, 12);
      expect(p.blockN).toBe(cuts[k + 1] - cuts[k]);
      expect(p.blockMean).toBeCloseTo(statsOf(samples.slice(cuts[k], cuts[k + 1])).mean, 12);
      expect([p.seedStart, p.seedEnd]).toEqual([cuts[k], cuts[k + 1]]);
    });
    // With this much data the interval narrows from the first block to the last.
    expect(seq[3].halfWidth!).toBeLessThan(seq[0].halfWidth!);
  });

  it('has no interval below two samples and skips malformed blocks', () => {
    const seq = mergeBlockSequence([
      { blockIndex: 0, seedStart: 0, seedEnd: 1, stats: { n: 1, mean: 2, m2: 0 } },
      { blockIndex: 1, seedStart: 1, seedEnd: 2, stats: { n: 'x' } },
      { blockIndex: 2, seedStart: 2, seedEnd: 3, stats: { n: 1, mean: 4, m2: 0 } },
    ]);
    expect(seq).toHaveLength(2);
    expect(seq[0]).toMatchObject({ n: 1, mean: 2, stderr: null, ciLow: null, ciHigh: null, halfWidth: null });
    expect(seq[1]).toMatchObject({ blockIndex: 2, n: 2, mean: 3 });
    expect(seq[1].stderr).toBeCloseTo(1, 12);
  });

  it('is empty without blocks', () => {
    expect(mergeBlockSequence([])).toEqual([]);
  });
});

describe('sampling', () => {
  it('sampleEvenly keeps at most limit items spread over the input', () => {
    const xs = Array.from({ length: 10 }, (_, i) => i);
    expect(sampleEvenly(xs, 20)).toEqual(xs);
    expect(sampleEvenly(xs, 4)).toEqual([0, 2, 5, 7]);
    expect(sampleEvenly(xs, 0)).toEqual([]);
  });

  it('selectSurrogatePoints keeps the best half and spreads the rest', () => {
    const obs: SurrogateObservation[] = Array.from({ length: 100 }, (_, i) => ({ number: i, params: {}, value: (i * 37) % 100, stderr: null }));
    const picked = selectSurrogatePoints(obs, 20, 'minimize');
    expect(picked).toHaveLength(20);
    for (let v = 0; v < 10; v++) expect(picked.some((o) => o.value === v)).toBe(true);
    expect(picked.map((o) => o.number)).toEqual([...picked.map((o) => o.number)].sort((a, b) => a - b));
    const max = selectSurrogatePoints(obs, 20, 'maximize');
    for (let v = 90; v < 100; v++) expect(max.some((o) => o.value === v)).toBe(true);
  });
});

describe('surrogate grid', () => {
  const space: TSpace = [
    { type: 'float', name: 'a', low: 0, high: 1, log: false, gridPoints: 5 },
    { type: 'float', name: 'lr', low: 1e-3, high: 1, log: true, gridPoints: 5 },
    { type: 'int', name: 'k', low: 1, high: 9, log: false },
    { type: 'categorical', name: 'c', choices: ['x', 'y'] },
  ];
  const f = (p: Record<string, number | string | boolean>) =>
    (Number(p.a) - 0.3) ** 2 + (Math.log10(Number(p.lr)) + 2) ** 2 / 4 + Number(p.k) / 20 + (p.c === 'y' ? 0.2 : 0);
  const rng = new CounterRng(3, 9);
  const obs: SurrogateObservation[] = Array.from({ length: 60 }, (_, i) => {
    const params = { a: rng.uniform(), lr: 10 ** (-3 * rng.uniform()), k: 1 + Math.floor(rng.uniform() * 9), c: rng.uniform() < 0.5 ? 'x' : 'y' };
    return { number: i, params, value: f(params), stderr: i % 2 ? 0.01 : null };
  });

  it('is resolution x resolution over the two axes, finite, with the other parameters fixed', () => {
    const fit = fitSurrogate(space, obs, 'minimize')!;
    expect(fit).not.toBeNull();
    const fixed = { a: 0.3, lr: 0.01, k: 3, c: 'x' };
    const r = surrogateSlice(fit, 'a', 'lr', fixed, 9);
    expect(r.mean).toHaveLength(9);
    expect(r.std).toHaveLength(9);
    expect(r.mean.every((row) => row.length === 9 && row.every(Number.isFinite))).toBe(true);
    expect(r.std.every((row) => row.length === 9 && row.every((v) => v >= 0))).toBe(true);
    expect(r.x.values).toHaveLength(9);
    expect(r.y.values[0]).toBeCloseTo(1e-3, 12);
    expect(r.y.values[8]).toBeCloseTo(1, 12);
    expect(r.y.values[4]).toBeCloseTo(10 ** -1.5, 12);
    expect(r.fixed).toEqual(fixed);
    expect(r.observations).toHaveLength(60);
    // The surface follows the objective: the minimum along a (lr = 10^-2 row is near index 6) sits near a = 0.3.
    const row = r.mean[6];
    const argmin = row.indexOf(Math.min(...row));
    expect(r.x.values[argmin]).toBeGreaterThan(0.1);
    expect(r.x.values[argmin]).toBeLessThan(0.5);
    expect(r.mean[6][0]).toBeGreaterThan(r.mean[6][argmin]);
  });

  it('maps back to objective units for maximisation', () => {
    const neg = obs.map((o) => ({ ...o, value: -o.value }));
    const fit = fitSurrogate(space, neg, 'maximize')!;
    const r = surrogateSlice(fit, 'a', 'k', null, 5);
    expect(r.mean.flat().every((v) => v < 0.5)).toBe(true);
    expect(r.fixed).toEqual(completeParams(space, null));
  });

  it('reuses the optimizer state when it fits the space, and needs three observations', () => {
    const state = { version: 1, gp: { kernel: 'matern52', dim: 4, theta: [0, 0, 0, 0, 0, Math.log(1e-4), 0] } };
    expect(fitSurrogate(space, obs, 'minimize', { state })!.warm).toBe(true);
    expect(fitSurrogate(space, obs, 'minimize', { state: { version: 1, gp: { ...state.gp, dim: 3 } } })!.warm).toBe(false);
    expect(fitSurrogate(space, obs.slice(0, 2), 'minimize')).toBeNull();
  });

  it('names the field of a bad axis', () => {
    expect(surrogateAxisIssues(space, 'a', 'lr')).toEqual([]);
    expect(surrogateAxisIssues(space, 'zz', 'c').map((i) => i.field)).toEqual(['x', 'y']);
    expect(surrogateAxisIssues(space, 'a', 'a')).toEqual([{ field: 'y', message: 'choose a parameter other than "a"' }]);
  });
});
