import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { EstimationError } from './errors';
import { covarianceMatrix, mergeMultivariateStats, multivariateStatsOf, selectDims } from './multivariate-stats';
import {
  addPair,
  addValue,
  addValues,
  assertRunningStats,
  bivariateStatsOf,
  differenceStats,
  emptyBivariateStats,
  emptyStats,
  mergeAllStats,
  mergeBivariateStats,
  mergeStats,
  sampleCorrelation,
  sampleCovariance,
  sampleVariance,
  standardError,
  statsOf,
} from './running-stats';

function twoPass(values: number[]): { mean: number; m2: number } {
  const mean = values.reduce((s, x) => s + x, 0) / values.length;
  return { mean, m2: values.reduce((s, x) => s + (x - mean) ** 2, 0) };
}

function draws(seed: number, n: number, shift = 0): number[] {
  const rng = new CounterRng(seed, 1);
  return Array.from({ length: n }, () => shift + 3 * rng.normal() + (rng.uniform() < 0.1 ? 20 : 0));
}

describe('running statistics', () => {
  it('merging blocks in any split and order equals one pass over all samples', () => {
    const values = draws(1, 1000, 1e6); // large offset: the merge must not lose precision to it
    const exact = twoPass(values);
    const onePass = statsOf(values);
    const cuts = [0, 1, 7, 300, 301, 650, 999, 1000];
    const blocks = cuts.slice(1).map((end, i) => statsOf(values.slice(cuts[i], end)));
    const forward = mergeAllStats(blocks);
    const backward = mergeAllStats([...blocks].reverse());
    const sequential = values.reduce(addValue, emptyStats());
    for (const s of [onePass, forward, backward, sequential]) {
      expect(s.n).toBe(1000);
      expect(s.mean).toBeCloseTo(exact.mean, 8);
      expect(Math.abs(s.m2 / exact.m2 - 1)).toBeLessThan(1e-10);
    }
    expect(addValues(statsOf(values.slice(0, 10)), values.slice(10)).m2 / exact.m2).toBeCloseTo(1, 10);
    expect(sampleVariance(onePass)).toBeCloseTo(exact.m2 / 999, 6);
    expect(standardError(onePass)).toBeCloseTo(Math.sqrt(exact.m2 / 999 / 1000), 9);
  });

  it('treats the empty block as the identity and is JSON round-trippable', () => {
    const s = statsOf([1, 2, 4]);
    expect(mergeStats(emptyStats(), s)).toEqual(s);
    expect(mergeStats(s, emptyStats())).toEqual(s);
    const restored: unknown = JSON.parse(JSON.stringify(s));
    assertRunningStats(restored);
    expect(restored).toEqual(s);
    expect(() => assertRunningStats({ n: 2, mean: null, m2: 0 })).toThrow(EstimationError);
    expect(Number.isNaN(sampleVariance(statsOf([5])))).toBe(true);
  });

  it('rejects non-finite samples with a typed error', () => {
    expect(() => statsOf([1, Number.NaN])).toThrow(/sample 1 is NaN/);
    expect(() => addValue(emptyStats(), Infinity)).toThrow(EstimationError);
  });
});

describe('bivariate statistics', () => {
  const x = draws(2, 500);
  const y = x.map((v, i) => 0.7 * v + draws(3, 500)[i]);

  it('merges like one pass and gives covariance, correlation and paired differences', () => {
    const all = bivariateStatsOf(x, y);
    const merged = mergeBivariateStats(bivariateStatsOf(x.slice(0, 123), y.slice(0, 123)), bivariateStatsOf(x.slice(123), y.slice(123)));
    const sequential = x.reduce((s, xi, i) => addPair(s, xi, y[i]), emptyBivariateStats());
    for (const s of [merged, sequential]) {
      expect(s.meanX).toBeCloseTo(all.meanX, 10);
      expect(s.meanY).toBeCloseTo(all.meanY, 10);
      expect(s.cxy / all.cxy).toBeCloseTo(1, 10);
      expect(s.m2Y / all.m2Y).toBeCloseTo(1, 10);
    }
    const mx = twoPass(x).mean, my = twoPass(y).mean;
    const cov = x.reduce((s, xi, i) => s + (xi - mx) * (y[i] - my), 0) / 499;
    expect(sampleCovariance(all)).toBeCloseTo(cov, 8);
    expect(sampleCorrelation(all)).toBeCloseTo(cov / Math.sqrt((twoPass(x).m2 / 499) * (twoPass(y).m2 / 499)), 10);
    const d = statsOf(x.map((xi, i) => xi - y[i]));
    const fromPairs = differenceStats(all);
    expect(fromPairs.mean).toBeCloseTo(d.mean, 10);
    expect(fromPairs.m2 / d.m2).toBeCloseTo(1, 9);
  });

  it('rejects arrays of unequal length', () => {
    expect(() => bivariateStatsOf([1, 2], [1])).toThrow(/equal lengths/);
  });
});

describe('multivariate statistics', () => {
  it('merges like one pass and selects sub-blocks', () => {
    const cols = [draws(4, 300), draws(5, 300), draws(6, 300)];
    const all = multivariateStatsOf(cols);
    const merged = mergeMultivariateStats(
      multivariateStatsOf(cols.map((c) => c.slice(0, 100))),
      multivariateStatsOf(cols.map((c) => c.slice(100))),
    );
    for (let j = 0; j < 3; j++) {
      expect(merged.mean[j]).toBeCloseTo(all.mean[j], 10);
      for (let k = 0; k < 3; k++) expect(merged.comoment[j][k]).toBeCloseTo(all.comoment[j][k], 6);
    }
    const pair = bivariateStatsOf(cols[0], cols[2]);
    expect(all.comoment[0][2]).toBeCloseTo(pair.cxy, 6);
    expect(selectDims(all, [2, 0]).comoment[1][0]).toBe(all.comoment[0][2]);
    expect(covarianceMatrix(all)[1][1]).toBeCloseTo(sampleVariance(statsOf(cols[1])), 8);
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);
  });
});
