import { describe, expect, it } from 'vitest';
import type { TSpace } from '../config/space';
import { BRANIN_CURRIN, zdt1 } from '../functions/multi-objective';
import { proposeEhvi } from './ehvi';
import { hypervolume } from './pareto';
import { proposeMultiObjective } from './propose-multi';
import { sobolDesign } from './sobol';

const unit = (d: number): TSpace => Array.from({ length: d }, (_, i) => ({ type: 'float' as const, name: `x${i + 1}`, low: 0, high: 1, log: false, gridPoints: 5 }));
const vec = (p: Record<string, unknown>, d: number) => Array.from({ length: d }, (_, i) => p[`x${i + 1}`] as number);

function design(d: number, n: number, f: (x: number[]) => number[]) {
  const u = sobolDesign(d, n, 3);
  return Array.from({ length: n }, (_, i) => {
    const x = Array.from(u.subarray(i * d, (i + 1) * d));
    return { params: Object.fromEntries(x.map((v, k) => [`x${k + 1}`, v])), values: f(x) };
  });
}

describe('proposeEhvi', () => {
  it('proposes a new point with positive expected improvement, the same for the same inputs, away from a pending one', () => {
    const obs = design(2, 12, (x) => BRANIN_CURRIN.evaluate(x));
    const input = { space: unit(2), observations: obs, taken: obs.map((o) => o.params), pending: [], directions: ['minimize', 'minimize'] as const, seed: 1, number: 12 };
    const a = proposeEhvi(input)!;
    expect(a.ehvi).toBeGreaterThan(0);
    expect(proposeEhvi(input)).toEqual(a);
    expect(obs.some((o) => JSON.stringify(o.params) === JSON.stringify(a.params))).toBe(false);
    const b = proposeEhvi({ ...input, pending: [a.params], taken: [...input.taken, a.params] })!;
    expect(b.params).not.toEqual(a.params);
  });

  it('fits on at most maxModelPoints observations, the front kept', () => {
    const obs = design(2, 300, (x) => BRANIN_CURRIN.evaluate(x));
    const r = proposeEhvi({ space: unit(2), observations: obs, taken: obs.map((o) => o.params), pending: [], directions: ['minimize', 'minimize'], seed: 5, number: 300, maxModelPoints: 40, candidates: 128, samples: 16 });
    expect(r).not.toBeNull();
    expect(obs.some((o) => JSON.stringify(o.params) === JSON.stringify(r!.params))).toBe(false);
  });

  it('handles three objectives and maximised ones', () => {
    const f = (x: number[]) => [...zdt1(3).evaluate(x), -(x[0] + x[1] + x[2])];
    const obs = design(3, 10, f);
    const r = proposeEhvi({ space: unit(3), observations: obs, taken: obs.map((o) => o.params), pending: [], directions: ['minimize', 'minimize', 'maximize'], seed: 2, number: 10, candidates: 64, samples: 16 });
    expect(r).not.toBeNull();
    expect(vec(r!.params, 3).every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('reaches more of BraninCurrin\'s hypervolume in 30 evaluations than ParEGO does (seed 0, 10 initial)', () => {
    const run = (acquisition: 'ehvi' | 'parego') => {
      const finished: Array<{ params: Record<string, number>; values: number[] }> = [];
      let state = null as Parameters<typeof proposeMultiObjective>[0]['state'];
      while (finished.length < 30) {
        const r = proposeMultiObjective({ space: unit(2), finished, pending: [], directions: ['minimize', 'minimize'], numbers: [finished.length], seed: 0, method: 'gp-logei', initialDesign: 10, state, acquisition });
        state = r.state;
        const p = r.proposals[0].params as Record<string, number>;
        finished.push({ params: p, values: BRANIN_CURRIN.evaluate(vec(p, 2)) });
      }
      return hypervolume(finished.map((f) => f.values), BRANIN_CURRIN.reference, ['minimize', 'minimize']);
    };
    const [ehvi, parego] = [run('ehvi'), run('parego')];
    expect(ehvi).toBeGreaterThan(parego);
    expect(ehvi).toBeGreaterThan(0.85 * BRANIN_CURRIN.maxHypervolume);
  });
});
