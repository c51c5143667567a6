import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import type { TSpace } from '../config/space';
import { bestByConfidenceBound, bestByPosteriorMean } from './noise-aware-best';
import { gpArdImportance, varianceShareImportance } from './importance';
import { empiricalDistribution } from './edf';

const space: TSpace = [
  { name: 'x', type: 'float', low: 0, high: 1, log: false, gridPoints: 10 },
  { name: 'y', type: 'float', low: 0, high: 1, log: false, gridPoints: 10 },
];

describe('bestByConfidenceBound', () => {
  it('prefers a tight interval over a lucky wide one (minimize: lowest upper bound)', () => {
    const r = bestByConfidenceBound(
      [
        { number: 0, value: 1.0, ciLow: -2, ciHigh: 4 },
        { number: 1, value: 1.2, ciLow: 1.1, ciHigh: 1.3 },
        { number: 2, value: 0.5 },
      ],
      'minimize',
    );
    expect(r).toMatchObject({ rule: 'confidence-bound', trialNumber: 1, low: 1.1, high: 1.3, compared: 2 });
  });
  it('maximize: highest lower bound; null when no trial has an interval', () => {
    expect(bestByConfidenceBound([{ number: 3, value: 9, ciLow: 1, ciHigh: 17 }, { number: 4, value: 8, ciLow: 7, ciHigh: 9 }], 'maximize')?.trialNumber).toBe(4);
    expect(bestByConfidenceBound([{ number: 0, value: 1 }], 'minimize')).toBeNull();
  });
});

describe('bestByPosteriorMean', () => {
  it('discounts the luckiest draw of a noisy objective and its interval covers the true value', () => {
    // f = (x-0.3)^2 + (y-0.6)^2 with noise sd 0.2: the smallest draw is well below any true value.
    const rng = new CounterRng(7);
    const f = (x: number, y: number) => (x - 0.3) ** 2 + (y - 0.6) ** 2;
    const obs = Array.from({ length: 80 }, (_, i) => {
      const x = rng.uniform(), y = rng.uniform();
      return { number: i, params: { x, y }, value: f(x, y) + 0.2 * rng.normal(), stderr: null };
    });
    const raw = obs.reduce((a, o) => (o.value < a.value ? o : a));
    expect(raw.value).toBeLessThan(-0.1);
    const r = bestByPosteriorMean(space, obs, 'minimize', { noiseStd: 0.2 })!;
    expect(r.rule).toBe('posterior-mean');
    expect(r.estimate).toBeGreaterThan(raw.value);
    const chosen = obs[r.trialNumber].params as { x: number; y: number };
    expect(r.observed).toBe(obs[r.trialNumber].value);
    expect(f(chosen.x, chosen.y)).toBeGreaterThan(r.low);
    expect(f(chosen.x, chosen.y)).toBeLessThan(r.high);
  });
});

describe('importances', () => {
  const rng = new CounterRng(3);
  const rows = Array.from({ length: 120 }, (_, i) => {
    const x = rng.uniform(), y = rng.uniform();
    return { number: i, params: { x, y }, value: 10 * x + 0.1 * y + 0.01 * rng.normal(), stderr: null };
  });
  it('variance share ranks the parameter that drives the value first', () => {
    const r = varianceShareImportance(space, rows)!;
    expect(r.method).toBe('variance-share');
    expect(r.params[0].name).toBe('x');
    expect(r.params[0].importance).toBeGreaterThan(0.8);
    expect(r.params.reduce((a, p) => a + p.importance, 0)).toBeCloseTo(1, 9);
  });
  it('GP ARD ranks it first too', () => {
    const r = gpArdImportance(space, rows, 'minimize')!;
    expect(r.method).toBe('gp-ard');
    expect(r.params[0].name).toBe('x');
  });
  it('variance share is null when every value is equal', () => {
    expect(varianceShareImportance(space, rows.map((r) => ({ ...r, value: 1 })))).toBeNull();
  });
});

describe('empiricalDistribution', () => {
  it('steps to 1 at the largest value, ties collapsed', () => {
    expect(empiricalDistribution([3, 1, 2, 2, Number.NaN])).toEqual([
      [1, 0.25],
      [2, 0.75],
      [3, 1],
    ]);
  });
});
