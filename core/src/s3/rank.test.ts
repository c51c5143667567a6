import { describe, expect, it } from 'vitest';
import { averageRanks, kendall, spearman } from './rank';

describe('rank correlations', () => {
  it('are 1 for the same order, -1 for the reverse, and handle ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(kendall([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(kendall([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(Array.from(averageRanks([5, 1, 5, 0]))).toEqual([2.5, 1, 2.5, 0]);
    // One discordant pair out of 6: tau = (5 - 1) / 6.
    expect(kendall([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
  });

  it('are NaN when there is no ordering to judge', () => {
    expect(spearman([1, 2], [1, 2])).toBeNaN();
    expect(kendall([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(() => spearman([1, 2, 3], [1, 2])).toThrow(/lengths differ/);
  });
});
