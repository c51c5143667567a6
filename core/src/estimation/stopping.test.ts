import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { EstimationError } from './errors';
import { addValues, emptyStats, statsOf } from './running-stats';
import { decide, decideFromEstimate, maxLooks, validateStoppingPolicy, type StoppingPolicy } from './stopping';

interface Coverage {
  coverage: number;
  meanN: number;
  caps: number;
}

/** Runs the policy `runs` times on seeded draws; each run is one CounterRng stream. */
function simulateCoverage(policy: StoppingPolicy, draw: (rng: CounterRng) => number, truth: number, runs: number): Coverage {
  let covered = 0, totalN = 0, caps = 0;
  for (let r = 0; r < runs; r++) {
    const rng = new CounterRng(2024, r);
    let stats = emptyStats();
    for (;;) {
      const d = decide(policy, stats);
      if (d.stop) {
        const e = d.estimate!;
        if (e.ciLow <= truth && truth <= e.ciHigh) covered++;
        totalN += e.n;
        if (d.reason === 'cap') caps++;
        break;
      }
      const block = new Float64Array(d.nextBlock);
      for (let i = 0; i < block.length; i++) block[i] = draw(rng);
      stats = addValues(stats, block);
    }
  }
  return { coverage: covered / runs, meanN: totalN / runs, caps };
}

describe('sequential stopping: coverage of the 95% interval at the stopping time (2,000 runs each)', () => {
  const base = { confidence: 0.95, maxSamples: 20_000 } as const;

  it('normal(1, 2^2), absolute target 0.25', () => {
    const c = simulateCoverage({ ...base, minSamples: 20, blockSize: 20, targetHalfWidth: 0.25 }, (r) => 1 + 2 * r.normal(), 1, 2000);
    console.info('coverage normal', c);
    expect(c.coverage).toBeGreaterThanOrEqual(0.93);
    expect(c.coverage).toBeLessThanOrEqual(0.97);
    expect(c.caps).toBe(0);
  });

  it('exponential(1) (skewed), relative target 10%', () => {
    const c = simulateCoverage({ ...base, minSamples: 30, blockSize: 25, targetRelHalfWidth: 0.1 }, (r) => -Math.log(r.uniform()), 1, 2000);
    console.info('coverage exponential', c);
    expect(c.coverage).toBeGreaterThanOrEqual(0.93);
    expect(c.coverage).toBeLessThanOrEqual(0.97);
  });

  it('Bernoulli(0.3) (bounded), absolute target 0.03', () => {
    const c = simulateCoverage({ ...base, minSamples: 30, blockSize: 25, targetHalfWidth: 0.03 }, (r) => (r.uniform() < 0.3 ? 1 : 0), 0.3, 2000);
    console.info('coverage bernoulli', c);
    expect(c.coverage).toBeGreaterThanOrEqual(0.93);
    expect(c.coverage).toBeLessThanOrEqual(0.97);
  });

  it('empirical-Bernstein with alpha split over looks never under-covers, at a price in samples', () => {
    const policy: StoppingPolicy = {
      ...base, minSamples: 30, blockSize: 25, targetHalfWidth: 0.05, method: 'empirical-bernstein', bounds: { lower: 0, upper: 1 },
    };
    const c = simulateCoverage(policy, (r) => (r.uniform() < 0.3 ? 1 : 0), 0.3, 300);
    const t = simulateCoverage({ ...policy, method: 't' }, (r) => (r.uniform() < 0.3 ? 1 : 0), 0.3, 300);
    console.info('empirical-Bernstein vs t at the same target', { eb: c, t });
    expect(c.coverage).toBeGreaterThanOrEqual(0.95);
    expect(c.meanN).toBeGreaterThan(t.meanN);
  });
});

describe('stopping decisions', () => {
  const policy: StoppingPolicy = { minSamples: 10, maxSamples: 100, blockSize: 20, confidence: 0.95, targetHalfWidth: 0.5 };

  it('asks for minSamples first, then blocks, and cuts the last block at the cap', () => {
    expect(decide(policy, emptyStats())).toMatchObject({ stop: false, reason: 'continue', nextBlock: 20, estimate: null });
    expect(decide({ ...policy, minSamples: 50 }, statsOf([1, 2, 3])).nextBlock).toBe(47);
    const noisy = statsOf(Array.from({ length: 90 }, (_, i) => (i % 2 ? 10 : -10)));
    expect(decide(policy, noisy)).toMatchObject({ stop: false, reason: 'continue', nextBlock: 10 });
    expect(decide(policy, addValues(noisy, [10, -10, 10, -10, 10, -10, 10, -10, 10, -10]))).toMatchObject({ stop: true, reason: 'cap', nextBlock: 0 });
  });

  it('stops on the target, absolute or relative, and projects the n it needs', () => {
    const tight = statsOf(Array.from({ length: 10 }, (_, i) => 100 + (i % 2)));
    expect(decide(policy, tight)).toMatchObject({ stop: true, reason: 'target' });
    const rel = { ...policy, targetHalfWidth: undefined, targetRelHalfWidth: 0.001 };
    const d = decide(rel, statsOf(Array.from({ length: 10 }, (_, i) => 100 + 3 * (i % 2))));
    expect(d.stop).toBe(false);
    expect(d.targetHalfWidth).toBeCloseTo(0.1015, 10); // 0.1% of the mean 101.5
    expect(d.projectedN).toBeGreaterThan(10);
    // Fixed-n policy: no target, stops at the cap only.
    const fixed = { minSamples: 10, maxSamples: 10, blockSize: 10, confidence: 0.9 };
    expect(decide(fixed, tight)).toMatchObject({ stop: true, reason: 'cap', targetHalfWidth: null });
  });

  it('accepts an estimate computed elsewhere', () => {
    const e = { mean: 1, stderr: 0.1, ciLow: 0.8, ciHigh: 1.2, halfWidth: 0.2, n: 40, confidence: 0.95, method: 'control-variates' as const };
    expect(decideFromEstimate(policy, e)).toMatchObject({ stop: true, reason: 'target' });
  });

  it('validates the policy with messages that name the field', () => {
    expect(() => validateStoppingPolicy({ ...policy, minSamples: 1 })).toThrow(/minSamples/);
    expect(() => validateStoppingPolicy({ ...policy, maxSamples: 5 })).toThrow(/maxSamples/);
    expect(() => validateStoppingPolicy({ ...policy, targetHalfWidth: undefined })).toThrow(/targetHalfWidth or targetRelHalfWidth/);
    expect(() => validateStoppingPolicy({ ...policy, method: 'empirical-bernstein' })).toThrow(EstimationError);
    expect(maxLooks(policy)).toBe(1 + Math.ceil(90 / 20));
  });
});
