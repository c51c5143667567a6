import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { tInterval } from './intervals';
import { alignBySeed, comparePaired, pairedComparison } from './paired';
import { bivariateStatsOf, statsOf } from './running-stats';

/** Two configurations on the same seed: shared noise (sd 3) plus a small private part (sd 0.5). */
function evaluate(config: 'a' | 'b', seed: number): number {
  const rng = new CounterRng(11, seed);
  const shared = 3 * rng.normal();
  const privateA = rng.normal();
  const privateB = rng.normal();
  return config === 'a' ? 1 + shared + 0.5 * privateA : 0.8 + shared + 0.5 * privateB;
}

describe('paired comparison under common random numbers', () => {
  it('is far narrower than the unpaired interval and reports the variance ratio', () => {
    const seeds = Array.from({ length: 200 }, (_, i) => i);
    const x = seeds.map((s) => evaluate('a', s));
    const y = seeds.map((s) => evaluate('b', s));
    const paired = comparePaired(x, y, 0.95);
    const unpairedStderr = Math.sqrt(tInterval(statsOf(x), 0.95).stderr ** 2 + tInterval(statsOf(y), 0.95).stderr ** 2);
    expect(paired.method).toBe('paired-t');
    expect(paired.mean).toBeCloseTo(paired.meanX - paired.meanY, 12);
    // Theory: var(x) + var(y) = 2 (9 + 0.25), var(x - y) = 0.5: a ratio of 37.
    expect(paired.varianceRatio).toBeGreaterThan(25);
    expect(paired.varianceRatio).toBeLessThan(55);
    expect(paired.correlation).toBeGreaterThan(0.95);
    expect(unpairedStderr / paired.stderr).toBeGreaterThan(5);
    expect(paired.ciLow).toBeGreaterThan(0); // the 0.2 difference is resolved with 200 paired seeds
  });

  it('covers the true difference at the nominal rate (1,000 runs of 30 seeds)', () => {
    let covered = 0;
    for (let r = 0; r < 1000; r++) {
      const seeds = Array.from({ length: 30 }, (_, i) => r * 30 + i);
      const e = pairedComparison(bivariateStatsOf(seeds.map((s) => evaluate('a', s)), seeds.map((s) => evaluate('b', s))), 0.95);
      if (e.ciLow <= 0.2 && 0.2 <= e.ciHigh) covered++;
    }
    expect(covered / 1000).toBeGreaterThanOrEqual(0.93);
    expect(covered / 1000).toBeLessThanOrEqual(0.97);
  });

  it('aligns results by seed whatever the arrival order, and drops unmatched seeds', () => {
    const aligned = alignBySeed(
      [{ seed: 3, value: 30 }, { seed: 1, value: 10 }, { seed: 2, value: 20 }, { seed: 9, value: 90 }],
      [{ seed: 2, value: 2 }, { seed: 3, value: 3 }, { seed: 1, value: 1 }],
    );
    expect(aligned).toEqual({ seeds: [1, 2, 3], x: [10, 20, 30], y: [1, 2, 3], unmatchedX: 1, unmatchedY: 0 });
    expect(() => alignBySeed([{ seed: 1, value: 1 }, { seed: 1, value: 2 }], [])).toThrow(/seed 1 appears twice/);
  });
});
