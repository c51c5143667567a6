import { describe, expect, it } from 'vitest';
import { formatComparison, type ComparisonView } from './compare';

const base: ComparisonView = {
  metric: 'rmse', direction: 'minimize', confidence: 0.95, unit: 'sample', n: 256,
  a: { number: 1, mean: 0.05, unmatched: 0 }, b: { number: 0, mean: 0.08, unmatched: 64 },
  paired: { mean: -0.03, ciLow: -0.034, ciHigh: -0.026, halfWidth: 0.004, correlation: 0.97, varianceRatio: 30.5 },
  unpaired: { mean: -0.03, ciLow: -0.052, ciHigh: -0.008, halfWidth: 0.022 },
};

describe('formatComparison', () => {
  it('prints both intervals, the CRN gain, the verdict by direction and what was left out', () => {
    const text = formatComparison(base);
    expect(text).toContain('trial #1 - trial #0, rmse (minimize), on 256 common samples:');
    expect(text).toMatch(/paired {4}-0\.03 {2}95% CI \[-0\.034, -0\.026\]/);
    expect(text).toMatch(/unpaired {2}-0\.03 {2}95% CI \[-0\.052, -0\.008\]/);
    expect(text).toContain('common random numbers save 30.5x the samples');
    expect(text).toContain('verdict: #1 is better (paired interval excludes 0)');
    expect(text).toContain("left out: 0 of #1's and 64 of #0's values have no partner");
    expect(formatComparison({ ...base, direction: 'maximize' })).toContain('verdict: #0 is better');
    expect(formatComparison({ ...base, paired: { ...base.paired, ciHigh: 0.001 } })).toContain('verdict: not distinguishable (paired interval contains 0)');
  });
});
