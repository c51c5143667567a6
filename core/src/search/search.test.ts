import { describe, expect, it } from 'vitest';
import { ZSpace, type TSpace } from '../config/space';
import { ZStudyConfig } from '../config/study';
import { gridLevels, gridSize, gridTrialParams } from './grid-search';
import { planTrials } from './plan';
import { randomTrialParams } from './random-search';

const space: TSpace = ZSpace.parse([
  { type: 'float', name: 'lr', low: 1e-4, high: 1e-1, log: true, gridPoints: 4 },
  { type: 'int', name: 'layers', low: 1, high: 3 },
  { type: 'categorical', name: 'act', choices: ['relu', 'gelu'] },
]);

describe('grid search', () => {
  it('visits every grid point exactly once', () => {
    expect(gridSize(space)).toBe(24);
    const seen = new Set<string>();
    for (let n = 0; n < 24; n++) seen.add(JSON.stringify(gridTrialParams(space, n)));
    expect(seen.size).toBe(24);
  });

  it('spaces log parameters geometrically and ends on the bounds', () => {
    const levels = gridLevels(space[0]) as number[];
    expect(levels[0]).toBeCloseTo(1e-4, 12);
    expect(levels[3]).toBeCloseTo(1e-1, 12);
    expect(levels[1] / levels[0]).toBeCloseTo(levels[2] / levels[1], 10);
  });

  it('rejects trial numbers outside the grid', () => {
    expect(() => gridTrialParams(space, 24)).toThrow(/outside the grid/);
  });
});

describe('random search', () => {
  it('is deterministic per (seed, trial) and stays in bounds with valid types', () => {
    expect(randomTrialParams(space, 3, 17)).toEqual(randomTrialParams(space, 3, 17));
    expect(randomTrialParams(space, 3, 17)).not.toEqual(randomTrialParams(space, 4, 17));
    for (let n = 0; n < 2000; n++) {
      const p = randomTrialParams(space, 1, n);
      expect(p.lr as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.lr as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p.layers)).toBe(true);
      expect([1, 2, 3]).toContain(p.layers);
      expect(['relu', 'gelu']).toContain(p.act);
    }
  });

  it('draws log-uniform floats: the median sits at the geometric mean', () => {
    const values = Array.from({ length: 4001 }, (_, n) => randomTrialParams(space, 9, n).lr as number).sort((a, b) => a - b);
    expect(Math.log10(values[2000])).toBeCloseTo(-2.5, 1);
  });
});

describe('trial plan', () => {
  it('caps a grid at the trial budget and uses the function domain by default', () => {
    const cfg = ZStudyConfig.parse({ name: 'g', kind: 'grid', objective: { type: 'function', function: 'branin' }, budget: { trials: 10 } });
    const plan = planTrials(cfg);
    expect(plan.total).toBe(10);
    expect(plan.space.map((p) => p.name)).toEqual(['x1', 'x2']);
    expect(plan.params?.(0)).toEqual({ x1: -5, x2: 0 });
  });
});
