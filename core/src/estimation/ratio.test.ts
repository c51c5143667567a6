import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { pairedRelativeImprovement } from './ratio';

describe('pairedRelativeImprovement', () => {
  it('is exact with zero width when y is a fixed fraction of x', () => {
    const x = [1, 2, 3, 4, 5, 6];
    const r = pairedRelativeImprovement(x, x.map((v) => 0.3 * v));
    expect(r.value).toBeCloseTo(0.7, 12);
    expect(r.stderr).toBeCloseTo(0, 12);
    expect(r.ciLow).toBeCloseTo(0.7, 12);
  });

  it('covers the true improvement at about the nominal rate (paired lognormal model)', () => {
    // x_i = e^{a_i}, y_i = 0.6 x_i e^{b_i}, b ~ N(0, 0.3^2): E[y]/E[x] = 0.6 e^{0.045}.
    const truth = 1 - 0.6 * Math.exp(0.045);
    const rng = new CounterRng(7);
    let covered = 0;
    const reps = 400;
    for (let r = 0; r < reps; r++) {
      const x: number[] = [], y: number[] = [];
      for (let i = 0; i < 400; i++) {
        const xi = Math.exp(0.8 * rng.normal());
        x.push(xi);
        y.push(0.6 * xi * Math.exp(0.3 * rng.normal()));
      }
      const est = pairedRelativeImprovement(x, y, 0.95);
      if (est.ciLow <= truth && truth <= est.ciHigh) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.9);
    expect(covered / reps).toBeLessThan(0.99);
  });

  it('refuses unaligned or too few pairs', () => {
    expect(() => pairedRelativeImprovement([1, 2, 3], [1, 2])).toThrow(/equal length/);
    expect(() => pairedRelativeImprovement([1, 2], [1, 2])).toThrow(/at least 3/);
  });
});
