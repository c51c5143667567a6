import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { empiricalBernsteinHalfWidth, empiricalBernsteinInterval, tInterval } from './intervals';
import { statsOf } from './running-stats';

describe('t-interval', () => {
  it('is mean +- t_{0.975, n-1} s / sqrt(n)', () => {
    const e = tInterval(statsOf([1, 2, 3, 4, 5, 6]), 0.95);
    const se = Math.sqrt(3.5 / 6);
    expect(e.stderr).toBeCloseTo(se, 14);
    expect(e.halfWidth).toBeCloseTo(2.5705818356363148 * se, 12);
    expect([e.ciLow, e.mean, e.ciHigh, e.n, e.method]).toEqual([3.5 - e.halfWidth, 3.5, 3.5 + e.halfWidth, 6, 't']);
    expect(() => tInterval(statsOf([1]), 0.95)).toThrow(/at least 2 samples/);
    expect(() => tInterval(statsOf([1, 2]), 95)).toThrow(/confidence/);
  });
});

describe('empirical-Bernstein interval', () => {
  it('follows Maurer & Pontil and is clipped to the bounds', () => {
    const s = statsOf([0, 1, 1, 0, 1, 0, 0, 0, 1, 0]);
    const log = Math.log(2 / 0.025);
    const expected = Math.sqrt((2 * (s.m2 / 9) * log) / 10) + (7 * log) / (3 * 9);
    expect(empiricalBernsteinHalfWidth(s, 1, 0.025)).toBeCloseTo(expected, 14);
    const e = empiricalBernsteinInterval(s, { lower: 0, upper: 1 }, 0.95);
    expect(e.ciLow).toBe(0);
    expect(e.ciHigh).toBe(1);
    expect(() => empiricalBernsteinInterval(s, { lower: 1, upper: 0 }, 0.95)).toThrow(/must exceed/);
  });

  it('covers at least at the nominal level on skewed bounded data at small n (fixed n)', () => {
    // Beta(0.2, 2)-like: mostly near 0, a long right tail inside [0, 1]; mean of U^5 is 1/6.
    let covered = 0;
    const runs = 1000;
    for (let r = 0; r < runs; r++) {
      const rng = new CounterRng(31, r);
      const e = empiricalBernsteinInterval(statsOf(Array.from({ length: 40 }, () => rng.uniform() ** 5)), { lower: 0, upper: 1 }, 0.95);
      if (e.ciLow <= 1 / 6 && 1 / 6 <= e.ciHigh) covered++;
    }
    expect(covered / runs).toBeGreaterThanOrEqual(0.95);
  });
});
