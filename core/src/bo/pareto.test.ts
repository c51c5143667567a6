import { describe, expect, it } from 'vitest';
import { ZSpace } from '../config/space';
import { BRANIN_CURRIN, zdt1 } from '../functions/multi-objective';
import { CounterRng } from '../rng';
import { chebyshevScalarize, proposeParEgo, simplexWeights, type MoObservation } from './parego';
import { dominates, hypervolume, paretoFront } from './pareto';

describe('Pareto front and hypervolume', () => {
  it('finds the non-dominated points, per direction, leaving failed ones out', () => {
    const pts = [[1, 5], [2, 2], [3, 1], [2.5, 2.5], [1, 5], [0.5, NaN]];
    expect(paretoFront(pts, ['minimize', 'minimize'])).toEqual([0, 1, 2, 4]);
    expect(dominates([2, 2], [2.5, 2.5], ['minimize', 'minimize'])).toBe(true);
    expect(dominates([2, 2], [2, 2], ['minimize', 'minimize'])).toBe(false);
    // Maximising the second objective: (1, 5) now beats everything with x >= 1.
    expect(paretoFront(pts, ['minimize', 'maximize'])).toEqual([0, 4]);
  });

  it('computes exact hypervolumes in 2 and 3 objectives', () => {
    expect(hypervolume([[1, 5], [2, 2], [3, 1]], [4, 6], ['minimize', 'minimize'])).toBeCloseTo(3 * 1 + 2 * 3 + 1 * 1, 12);
    // A point not better than the reference in every objective adds nothing.
    expect(hypervolume([[1, 5], [5, 0]], [4, 6], ['minimize', 'minimize'])).toBeCloseTo(3, 12);
    // Two boxes in 3-D: 2*2*2 + 3*1*1 - overlap 2*1*1 = 9.
    expect(hypervolume([[0, 0, 1], [0, 2, 0]], [2, 3, 3], ['minimize', 'minimize', 'minimize'])).toBeCloseTo(2 * 3 * 2 + 2 * 1 * 3 - 2 * 1 * 2, 12);
    expect(hypervolume([[-1, -1]], [0, 0], ['maximize', 'maximize'])).toBe(0);
    expect(hypervolume([[1, 1]], [0, 0], ['maximize', 'maximize'])).toBe(1);
  });

  it('agrees with Monte Carlo on a random 3-objective front', () => {
    const rng = new CounterRng(3, 1);
    const pts = Array.from({ length: 25 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    const hv = hypervolume(pts, [1, 1, 1], ['minimize', 'minimize', 'minimize']);
    let hits = 0;
    const N = 40000;
    for (let s = 0; s < N; s++) {
      const q = [rng.uniform(), rng.uniform(), rng.uniform()];
      if (pts.some((p) => p[0] <= q[0] && p[1] <= q[1] && p[2] <= q[2])) hits++;
    }
    // Binomial standard error at N = 40000 is under 0.0025.
    expect(Math.abs(hits / N - hv)).toBeLessThan(0.01);
  });

  it('the true ZDT1 front reaches its published maximal hypervolume', () => {
    const f = zdt1(4);
    const front = Array.from({ length: 2001 }, (_, i) => f.evaluate([i / 2000, 0, 0, 0]));
    expect(hypervolume(front, f.reference, ['minimize', 'minimize'])).toBeCloseTo(f.maxHypervolume, 2);
  });
});

describe('ParEGO', () => {
  it('draws weights on the simplex and scalarises on normalised objectives', () => {
    const w = simplexWeights(3, 1, 7);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(w.every((v) => v > 0)).toBe(true);
    expect(simplexWeights(3, 1, 7)).toEqual(w);
    expect(simplexWeights(3, 1, 8)).not.toEqual(w);
    const s = chebyshevScalarize([[0, 10], [1, 0], [0.5, 5], [NaN, 1]], ['minimize', 'minimize'], [0.5, 0.5], 0);
    expect(s.slice(0, 3)).toEqual([0.5, 0.5, 0.25]);
    expect(s[3]).toBeNaN();
  });

  it('rejects mismatched objective vectors', () => {
    const space = ZSpace.parse([{ type: 'float', name: 'x', low: 0, high: 1 }]);
    expect(() => proposeParEgo({ space, observations: [{ params: { x: 0.5 }, values: [1] }], directions: ['minimize', 'minimize'], count: 1, seed: 0, initialDesign: 1 })).toThrow(/observation 0 has 1 values for 2 objectives/);
    expect(() => proposeParEgo({ space, observations: [], directions: ['minimize'], count: 1, seed: 0, initialDesign: 1 })).toThrow(/at least two/);
  });

  it('dominates more of BraninCurrin than random search with the same 40 evaluations', () => {
    const space = ZSpace.parse([{ type: 'float', name: 'u0', low: 0, high: 1 }, { type: 'float', name: 'u1', low: 0, high: 1 }]);
    const dirs = ['minimize', 'minimize'] as const;
    const run = (method: 'gp-logei' | 'random') => {
      const obs: MoObservation[] = [];
      let state = null;
      while (obs.length < 40) {
        const r = proposeParEgo({ space, observations: obs, directions: dirs, count: 1, seed: 1, method, initialDesign: 8, state });
        state = r.state;
        for (const p of r.proposals) obs.push({ params: p.params, values: BRANIN_CURRIN.evaluate([p.params.u0 as number, p.params.u1 as number]) });
      }
      return hypervolume(obs.map((o) => o.values), BRANIN_CURRIN.reference, dirs);
    };
    const parego = run('gp-logei'), random = run('random');
    expect(parego).toBeGreaterThan(random);
    expect(parego).toBeLessThanOrEqual(BRANIN_CURRIN.maxHypervolume + 1e-9);
    expect(parego / BRANIN_CURRIN.maxHypervolume).toBeGreaterThan(0.85);
  });
});
