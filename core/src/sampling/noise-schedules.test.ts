import { describe, expect, it } from 'vitest';
import { NOISE_SCHEDULE_NAMES, getNoiseSchedule } from './noise-schedules';

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

describe.each(NOISE_SCHEDULE_NAMES)('noise schedule %s', (name) => {
  const ns = getNoiseSchedule(name);
  const ts = [...grid(1e-4, ns.tMax, 997), 1e-6, 5e-4, 1e-3, ns.tMinDefault];

  it('keeps alpha^2 + sigma^2 = 1 and lambda = log(alpha/sigma)', () => {
    for (const t of ts) {
      const a = ns.alpha(t), s = ns.sigma(t);
      expect(Math.abs(a * a + s * s - 1)).toBeLessThan(1e-14);
      expect(ns.lambda(t)).toBeCloseTo(Math.log(a / s), 8);
      expect(a).toBeGreaterThan(0);
      expect(a).toBeLessThanOrEqual(1);
    }
  });

  it('has alpha and lambda strictly decreasing in t', () => {
    const sorted = [...ts].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) continue;
      expect(ns.lambda(sorted[i])).toBeLessThan(ns.lambda(sorted[i - 1]));
      expect(ns.logAlpha(sorted[i])).toBeLessThan(ns.logAlpha(sorted[i - 1]));
    }
  });

  it('inverts lambda: lambda(inverseLambda(l)) = l to 1e-9 and inverseLambda(lambda(t)) = t', () => {
    const lHi = ns.lambda(1e-5), lLo = ns.lambda(ns.tMax);
    for (const l of grid(lLo, lHi, 1001)) {
      expect(Math.abs(ns.lambda(ns.inverseLambda(l)) - l)).toBeLessThan(1e-9);
    }
    for (const t of ts) {
      expect(Math.abs(ns.inverseLambda(ns.lambda(t)) - t)).toBeLessThan(1e-9 * Math.max(1, t));
    }
  });

  it('starts from almost pure noise at tMax', () => {
    expect(ns.alpha(ns.tMax)).toBeLessThan(0.01);
    expect(ns.alpha(ns.tMinDefault)).toBeGreaterThan(0.99);
  });
});

describe('schedule specifics', () => {
  it('vp-linear matches log alpha = -(b1-b0) t^2/4 - b0 t/2', () => {
    const ns = getNoiseSchedule('vp-linear');
    expect(ns.logAlpha(0.5)).toBeCloseTo(-(19.9 * 0.25) / 4 - 0.1 * 0.25, 14);
  });

  it('ddpm-discrete hits the cumulative product of (1 - beta) at the grid points', () => {
    const ns = getNoiseSchedule('ddpm-discrete');
    let logAbar = 0;
    for (let n = 0; n < 1000; n++) {
      logAbar += Math.log(1 - (1e-4 + ((0.02 - 1e-4) * n) / 999));
      if (n % 97 === 0 || n === 999) expect(ns.logAlpha((n + 1) / 1000)).toBeCloseTo(0.5 * logAbar, 12);
    }
  });

  it('vp-cosine has alpha(0) = 1', () => {
    expect(getNoiseSchedule('vp-cosine').logAlpha(0)).toBeCloseTo(0, 15);
  });
});
