import { describe, expect, it } from 'vitest';
import { bestChartScale, niceRange, rangeWithOptimum } from './best-chart';

describe('bestChartScale', () => {
  it('draws positive values as they are on a log axis', () => {
    const s = bestChartScale([300, 2, 0.41], 0.397887, true);
    expect(s).toMatchObject({ log: true, label: 'value', note: null });
    expect(s.map(2)).toBe(2);
  });
  it('falls back to the gap to a known optimum for negative values, a hit stays positive', () => {
    const s = bestChartScale([-1, -3.2, -3.32237], -3.32237, true);
    expect(s.log).toBe(true);
    expect(s.label).toBe('gap to optimum');
    expect(s.map(-3.2)).toBeCloseTo(0.12237, 9);
    expect(s.map(-3.32237)).toBeGreaterThan(0);
  });
  it('says why when log-y cannot be drawn', () => {
    expect(bestChartScale([-1, 2], null, true)).toMatchObject({ log: false, note: expect.stringContaining('positive') });
    expect(bestChartScale([-1, 2], null, false).note).toBeNull();
  });
});

describe('rangeWithOptimum', () => {
  it('keeps the optimum inside the y range', () => {
    expect(rangeWithOptimum([5, 9], 0.4)).toEqual({ min: 0.4, max: 9 });
    expect(rangeWithOptimum([], null)).toBeNull();
  });
});

describe('niceRange', () => {
  it('widens to round ends that still hold the data', () => {
    expect(niceRange(-12.630281840516478, 293.91081520438604)).toEqual({ min: -50, max: 300 });
    const r = niceRange(0.3979, 0.41);
    expect(r.min).toBeLessThanOrEqual(0.3979);
    expect(r.max).toBeGreaterThanOrEqual(0.41);
    expect(niceRange(2, 2)).toEqual({ min: 1.8, max: 2.2 });
  });
});
