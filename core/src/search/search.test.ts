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

const conditional: TSpace = ZSpace.parse([
  { type: 'categorical', name: 'optimizer', choices: ['sgd', 'adam'] },
  { type: 'float', name: 'momentum', low: 0, high: 0.9, gridPoints: 3, when: { param: 'optimizer', in: ['sgd'] } },
  { type: 'categorical', name: 'schedule', choices: ['constant', 'cosine'], when: { param: 'optimizer', in: ['sgd'] } },
  { type: 'int', name: 'warmup', low: 1, high: 4, when: { param: 'schedule', in: ['cosine'] } },
  { type: 'int', name: 'layers', low: 1, high: 2 },
]);

describe('conditional parameters', () => {
  it('grid: one point per setting of the active parameters only, each exactly once', () => {
    // sgd: 3 momenta x (constant + 4 cosine warmups) x 2 layers = 30; adam: 2 layers.
    expect(gridSize(conditional)).toBe(32);
    const seen = new Set<string>();
    for (let n = 0; n < 32; n++) {
      const p = gridTrialParams(conditional, n);
      seen.add(JSON.stringify(p));
      if (p.optimizer === 'adam') expect(Object.keys(p).sort()).toEqual(['layers', 'optimizer']);
      else {
        expect([0, 0.45, 0.9]).toContain(p.momentum);
        expect('warmup' in p).toBe(p.schedule === 'cosine');
      }
    }
    expect(seen.size).toBe(32);
    expect(gridTrialParams(conditional, 0)).toEqual({ optimizer: 'sgd', momentum: 0, schedule: 'constant', layers: 1 });
    expect(gridTrialParams(conditional, 31)).toEqual({ optimizer: 'adam', layers: 2 });
    expect(() => gridTrialParams(conditional, 32)).toThrow(/outside the grid of 32 points/);
  });

  it('grid: a condition that is always met gives the unconditional grid in the same order', () => {
    const always = ZSpace.parse([{ type: 'categorical', name: 'c', choices: ['a', 'b'] }, { type: 'int', name: 'k', low: 0, high: 2, when: { param: 'c', in: ['a', 'b'] } }]);
    const plain = ZSpace.parse([{ type: 'categorical', name: 'c', choices: ['a', 'b'] }, { type: 'int', name: 'k', low: 0, high: 2 }]);
    expect(Array.from({ length: 6 }, (_, n) => gridTrialParams(always, n))).toEqual(Array.from({ length: 6 }, (_, n) => gridTrialParams(plain, n)));
  });

  it('random: inactive parameters are absent, active ones drawn in range', () => {
    let sgd = 0;
    for (let n = 0; n < 500; n++) {
      const p = randomTrialParams(conditional, 2, n);
      expect('momentum' in p).toBe(p.optimizer === 'sgd');
      expect('schedule' in p).toBe(p.optimizer === 'sgd');
      expect('warmup' in p).toBe(p.schedule === 'cosine');
      if (p.optimizer === 'sgd') {
        sgd++;
        expect(p.momentum as number).toBeGreaterThanOrEqual(0);
        expect(p.momentum as number).toBeLessThanOrEqual(0.9);
      }
      expect([1, 2]).toContain(p.layers);
    }
    expect(sgd).toBeGreaterThan(200);
    expect(sgd).toBeLessThan(300);
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
