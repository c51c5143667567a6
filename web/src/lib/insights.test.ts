import { describe, expect, it } from 'vitest';
import { bandSegments, cellEdges, halfWidth, heatmapCells, parallelLabelLayout, parallelLine, proposalLabel, shortNumber } from './insights';

describe('study page helpers', () => {
  it('labels proposals as the trial table shows them', () => {
    expect(proposalLabel({ kind: 'initial', method: 'gp-logei' })).toBe('initial');
    expect(proposalLabel({ kind: 'acquisition', acquisitionValue: 0.0012 })).toBe('acq 1.2e-3');
    expect(proposalLabel({ kind: 'acquisition', acquisitionValue: -5.31 })).toBe('acq -5.3');
    expect(proposalLabel({ kind: 'acquisition' })).toBe('acq');
    expect(proposalLabel(null)).toBe('');
    expect(shortNumber(41234)).toBe('4.1e+4');
  });

  it('computes half-widths only when both ends exist', () => {
    expect(halfWidth(1, 3)).toBe(1);
    expect(halfWidth(null, 3)).toBeNull();
  });

  it('puts heatmap cell edges between grid points, geometric on log axes', () => {
    expect(cellEdges([0, 0.5, 1], 0, 1, false)).toEqual([0, 0.25, 0.75, 1]);
    const e = cellEdges([1e-3, 1e-2, 1e-1], 1e-3, 1e-1, true);
    expect(e[1]).toBeCloseTo(Math.sqrt(1e-5), 15);
    const cells = heatmapCells([[1, 2], [3, 4]], { values: [0, 1], low: 0, high: 1, log: false }, { values: [10, 20], low: 10, high: 20, log: false });
    expect(cells).toEqual([
      [0, 0.5, 10, 15, 1, 0, 0],
      [0.5, 1, 10, 15, 2, 1, 0],
      [0, 0.5, 15, 20, 3, 0, 1],
      [0.5, 1, 15, 20, 4, 1, 1],
    ]);
  });

  it('draws the CI band only between blocks that have an interval', () => {
    const segs = bandSegments([
      { n: 1, mean: 1, ciLow: null, ciHigh: null },
      { n: 2, mean: 1, ciLow: 0, ciHigh: 2 },
      { n: 4, mean: 1, ciLow: 0.5, ciHigh: 1.5 },
    ]);
    expect(segs).toEqual([[2, 0, 2, 4, 0.5, 1.5]]);
  });

  it('orders a parallel-coordinates line like the axes, categoricals as strings', () => {
    const axes = [
      { name: 'lr', type: 'float' as const, low: 0, high: 1, log: false, choices: null },
      { name: 'act', type: 'categorical' as const, low: null, high: null, log: false, choices: ['relu', true] },
    ];
    expect(parallelLine(axes, { act: true, lr: 0.5 }, 3)).toEqual([0.5, 'true', 3]);
    expect(parallelLine(axes, { lr: 0.5 }, 3)).toEqual([0.5, null, 3]);
  });
});

describe('parallelLabelLayout', () => {
  it('keeps names within the spacing between axes, turns and drops labels as it narrows', () => {
    const wide = parallelLabelLayout(1200, 4);
    expect(wide.nameRotate).toBe(0);
    expect(wide.nameWidth).toBeLessThan(wide.spacing);
    const narrow = parallelLabelLayout(1200, 20);
    expect(narrow.nameRotate).toBe(45);
    expect(narrow.nameWidth).toBeLessThan(narrow.spacing * Math.SQRT2);
    expect(parallelLabelLayout(1200, 65).showTickLabels).toBe(false);
  });
});
