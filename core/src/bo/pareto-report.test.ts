import { describe, expect, it } from 'vitest';
import { hypervolume } from './pareto';
import { hypervolumeCurve, hypervolumeReference } from './pareto-report';
import { proposeMultiObjective } from './propose-multi';
import { BRANIN_CURRIN } from '../functions/multi-objective';
import { CounterRng } from '../rng';

describe('hypervolume reference and curve', () => {
  it('uses the test problem\'s reference point when every objective is minimised, else the observed one with a margin', () => {
    const obj = (...d: Array<['f1' | 'f2', 'minimize' | 'maximize']>) => d.map(([metric, direction]) => ({ metric, direction }));
    const bc = { type: 'function', function: 'branin_currin' };
    expect(hypervolumeReference(bc, obj(['f1', 'minimize'], ['f2', 'minimize']), [])).toMatchObject({ point: [18, 6], source: 'function' });
    // Objectives listed in another order than the function's outputs: the point follows the list.
    expect(hypervolumeReference(bc, obj(['f2', 'minimize'], ['f1', 'minimize']), []).point).toEqual([6, 18]);
    const rows = [[1, 10], [3, 30]];
    expect(hypervolumeReference({ type: 'function', function: 'zdt1' }, obj(['f1', 'minimize'], ['f2', 'maximize']), rows)).toMatchObject({ point: [3.2, 8], source: 'observed' });
    expect(hypervolumeReference({ type: 'command' }, obj(['f1', 'maximize'], ['f2', 'minimize']), [[2, 5]]).point).toEqual([1, 6]);
  });

  it('equals the hypervolume of every prefix, is non-decreasing, and thins to at most maxPoints ending at the last trial', () => {
    const rng = new CounterRng(3, 1);
    const rows = Array.from({ length: 300 }, (_, i) => ({ number: i, values: [rng.uniform(), rng.uniform()] }));
    const dirs = ['minimize', 'maximize'] as const;
    const ref = [1.1, -0.1];
    const full = hypervolumeCurve(rows, dirs, ref, 1000);
    expect(full).toHaveLength(300);
    for (const k of [1, 7, 150, 300]) expect(full[k - 1].hypervolume).toBeCloseTo(hypervolume(rows.slice(0, k).map((r) => r.values), ref, dirs), 12);
    expect(full.every((p, i) => i === 0 || p.hypervolume >= full[i - 1].hypervolume)).toBe(true);
    const thin = hypervolumeCurve(rows, dirs, ref, 20);
    expect(thin.length).toBeLessThanOrEqual(20);
    expect(thin[thin.length - 1]).toEqual(full[299]);
    // Thinned points are exact too, for three objectives as well.
    const rows3 = rows.map((r, i) => ({ number: r.number, values: [...r.values, ((i * 7919) % 300) / 300] }));
    const dirs3 = ['minimize', 'maximize', 'minimize'] as const;
    const ref3 = [1.1, -0.1, 1.1];
    const thin3 = hypervolumeCurve(rows3, dirs3, ref3, 25);
    expect(thin3).toHaveLength(25);
    for (const p of thin3) expect(p.hypervolume).toBeCloseTo(hypervolume(rows3.slice(0, p.completed).map((r) => r.values), ref3, dirs3), 12);
  });
});

describe('proposeMultiObjective (ParEGO by trial number)', () => {
  const space = [
    { type: 'float' as const, name: 'x1', low: 0, high: 1, log: false, gridPoints: 5 },
    { type: 'float' as const, name: 'x2', low: 0, high: 1, log: false, gridPoints: 5 },
  ];
  const observe = (params: Record<string, number>) => BRANIN_CURRIN.evaluate([params.x1, params.x2]);

  it('is a function of the trial numbers: asking for [6, 7] together or one at a time gives the same points', () => {
    const finished = Array.from({ length: 6 }, (_, i) => {
      const params = { x1: (i + 0.5) / 6, x2: ((i * 5) % 6 + 0.5) / 6 };
      return { params, values: observe(params) };
    });
    const base = { space, finished, directions: ['minimize', 'minimize'] as const, seed: 4, method: 'gp-logei' as const, initialDesign: 4 };
    const together = proposeMultiObjective({ ...base, pending: [], numbers: [6, 7] });
    const first = proposeMultiObjective({ ...base, pending: [], numbers: [6] });
    expect(first.proposals[0].params).toEqual(together.proposals[0].params);
    expect(together.proposals.map((p) => p.reason.kind)).toEqual(['acquisition', 'acquisition']);
    const weights = (i: number) => (together.proposals[i].reason as { weights?: number[] }).weights;
    expect(weights(0)).not.toEqual(weights(1));
    expect(together.proposals[0].params).not.toEqual(together.proposals[1].params);
  });

  it('keeps failed trials (no values) out of the model and never proposes them again', () => {
    const finished = [{ params: { x1: 0.5, x2: 0.5 }, values: null }, ...Array.from({ length: 5 }, (_, i) => {
      const params = { x1: i / 5, x2: 1 - i / 5 };
      return { params, values: observe(params) };
    })];
    const r = proposeMultiObjective({ space, finished, pending: [], directions: ['minimize', 'minimize'], numbers: [6, 7, 8], seed: 1, method: 'gp-logei', initialDesign: 2 });
    expect(r.proposals).toHaveLength(3);
    for (const p of r.proposals) expect(p.params).not.toEqual({ x1: 0.5, x2: 0.5 });
    expect(new Set(r.proposals.map((p) => JSON.stringify(p.params))).size).toBe(3);
  });
});
