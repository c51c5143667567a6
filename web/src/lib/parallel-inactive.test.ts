import { describe, expect, it } from 'vitest';
import type { ParallelAxis } from '@stepwise/service/service-types';
import { INACTIVE_LABEL, axisValue, inactiveAxes, inactiveAxisPatch, inactivePosition } from './parallel-inactive';

const spacing: ParallelAxis = { name: 'spacing', type: 'categorical', low: null, high: null, log: false, choices: ['logSNR', 'karras'] };
const rho: ParallelAxis = { name: 'rho', type: 'float', low: 3, high: 10, log: false, choices: null };
const lr: ParallelAxis = { name: 'lr', type: 'float', low: 1e-4, high: 1, log: true, choices: null };

describe('inactive parameters on the parallel-coordinates chart', () => {
  it('flags exactly the axes some trial does not use', () => {
    const rows: Array<{ params: Record<string, string | number> }> = [{ params: { spacing: 'karras', rho: 5 } }, { params: { spacing: 'logSNR' } }];
    expect(inactiveAxes([spacing, rho], rows)).toEqual([false, true]);
  });

  it('puts the inactive tick outside the domain, below low (on the log scale for log axes)', () => {
    expect(inactivePosition(rho)).toBeCloseTo(3 - 0.2 * 7, 12);
    const p = inactivePosition(lr);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-4);
    expect(Math.log10(1e-4) - Math.log10(p)).toBeCloseTo(0.2 * 4, 12);
  });

  it('draws an inactive trial at the tick, a trial with a value at its value', () => {
    expect(axisValue(rho, undefined, true)).toBe(inactivePosition(rho));
    expect(axisValue(rho, 4.5, true)).toBe(4.5);
    expect(axisValue(spacing, undefined, true)).toBe(INACTIVE_LABEL);
    expect(axisValue(spacing, 'karras', true)).toBe('karras');
    expect(axisValue(rho, undefined, false)).toBeNull();
  });

  it('labels the tick "inactive" and every other tick with its value', () => {
    const patch = inactiveAxisPatch(rho) as { min: number; axisLabel: { formatter: (v: number) => string } };
    expect(patch.min).toBe(inactivePosition(rho));
    expect(patch.axisLabel.formatter(patch.min)).toBe(INACTIVE_LABEL);
    expect(patch.axisLabel.formatter(3)).toBe('3');
    expect(patch.axisLabel.formatter(2)).toBe('2');
    expect((inactiveAxisPatch(spacing) as { data: string[] }).data).toEqual(['logSNR', 'karras', INACTIVE_LABEL]);
  });
});
