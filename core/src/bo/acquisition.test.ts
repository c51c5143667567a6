import { describe, expect, it } from 'vitest';
import { LogExpectedImprovement, UpperConfidenceBound, expectedImprovement, type AcquisitionGrad } from './acquisition';

describe('LogEI', () => {
  it('equals log(EI) computed naively wherever EI is representable', () => {
    const best = 0.3;
    for (const sigma of [0.01, 0.5, 3]) {
      for (let z = -30; z <= 10; z += 0.37) {
        const mean = best - z * sigma;
        const naive = Math.log(expectedImprovement(best, mean, sigma * sigma));
        const got = new LogExpectedImprovement(best).evaluate(mean, sigma * sigma);
        expect(Number.isFinite(naive)).toBe(true);
        expect(Math.abs(got - naive) / Math.abs(naive)).toBeLessThan(1e-6);
      }
    }
  });

  it('stays finite and strictly monotone far into the tail where EI underflows', () => {
    const acq = new LogExpectedImprovement(0);
    expect(expectedImprovement(0, 40, 1)).toBe(0); // naive EI is gone at z = -40 ...
    const at40 = acq.evaluate(40, 1);
    const at1000 = acq.evaluate(1000, 1);
    expect(Number.isFinite(at40)).toBe(true); // ... LogEI is not
    expect(Number.isFinite(at1000)).toBe(true);
    expect(at40).toBeCloseTo(-808.29856835661996, 9);
    expect(at1000).toBeCloseTo(-500014.73445209116, 6);
    let prev = Infinity;
    for (let mean = -5; mean <= 1000; mean += 0.25) {
      const v = acq.evaluate(mean, 1);
      expect(v).toBeLessThan(prev);
      prev = v;
    }
    // More uncertainty never hurts far in the tail either.
    expect(acq.evaluate(1000, 4)).toBeGreaterThan(acq.evaluate(1000, 1));
  });

  it('has the right partial derivatives in mean and variance, tails included', () => {
    const acq = new LogExpectedImprovement(0.1);
    const g: AcquisitionGrad = { dMean: 0, dVariance: 0 };
    for (const [mean, variance] of [[0, 0.3], [2, 0.01], [-1, 2], [50, 0.5], [0.1, 1e-6]]) {
      acq.evaluate(mean, variance, g);
      const h = 1e-6 * Math.max(1, Math.abs(mean));
      const dm = (acq.evaluate(mean + h, variance) - acq.evaluate(mean - h, variance)) / (2 * h);
      const hv = 1e-6 * variance;
      const dv = (acq.evaluate(mean, variance + hv) - acq.evaluate(mean, variance - hv)) / (2 * hv);
      expect(Math.abs(g.dMean - dm) / Math.max(1, Math.abs(dm))).toBeLessThan(1e-5);
      expect(Math.abs(g.dVariance - dv) / Math.max(1, Math.abs(dv))).toBeLessThan(1e-5);
    }
  });
});

describe('UCB', () => {
  it('is sqrt(beta) sigma - mean with matching derivatives', () => {
    const acq = new UpperConfidenceBound(4);
    const g: AcquisitionGrad = { dMean: 0, dVariance: 0 };
    expect(acq.evaluate(1, 0.25, g)).toBeCloseTo(2 * 0.5 - 1, 14);
    expect(g.dMean).toBe(-1);
    expect(g.dVariance).toBeCloseTo(2 / (2 * 0.5), 14);
  });
});
