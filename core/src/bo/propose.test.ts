import { describe, expect, it } from 'vitest';
import { ZSpace, type TParams } from '../config/space';
import { createEncoding, paramsKey } from './encoding';
import { BO_METHODS, proposeBatch, type BoObservation } from './propose';

const mixed = ZSpace.parse([
  { type: 'float', name: 'lr', low: 1e-4, high: 1, log: true },
  { type: 'float', name: 'x', low: -2, high: 2 },
  { type: 'int', name: 'steps', low: 1, high: 6 },
  { type: 'categorical', name: 'solver', choices: ['euler', 'heun', 'dpm'] },
]);
const enc = createEncoding(mixed);

function objective(p: TParams): number {
  const solverBonus = p.solver === 'dpm' ? 0 : p.solver === 'heun' ? 0.3 : 0.8;
  return (Math.log10(p.lr as number) + 2) ** 2 + ((p.x as number) - 0.5) ** 2 + 0.1 * Math.abs((p.steps as number) - 4) + solverBonus;
}

function expectValid(p: TParams) {
  expect(p.lr as number).toBeGreaterThanOrEqual(1e-4);
  expect(p.lr as number).toBeLessThanOrEqual(1);
  expect(p.x as number).toBeGreaterThanOrEqual(-2);
  expect(p.x as number).toBeLessThanOrEqual(2);
  expect(Number.isInteger(p.steps)).toBe(true);
  expect(p.steps as number).toBeGreaterThanOrEqual(1);
  expect(p.steps as number).toBeLessThanOrEqual(6);
  expect(['euler', 'heun', 'dpm']).toContain(p.solver);
}

/** Observations from a short sequential random-search prefix. */
function history(n: number, seed = 0): BoObservation[] {
  const obs: BoObservation[] = [];
  const props = proposeBatch({ space: mixed, observations: [], count: n, direction: 'minimize', seed, method: 'sobol', initialDesign: n });
  for (const p of props.proposals) obs.push({ params: p.params, value: objective(p.params) });
  return obs;
}

describe('proposeBatch', () => {
  it('starts with one Sobol design, the same whether proposed in one batch or one by one', () => {
    const batch = proposeBatch({ space: mixed, observations: [], count: 6, direction: 'minimize', seed: 5, method: 'gp-logei', initialDesign: 6 });
    expect(batch.proposals.map((p) => p.reason.kind)).toEqual(Array(6).fill('initial'));
    const pending: TParams[] = [];
    for (let i = 0; i < 6; i++) {
      const r = proposeBatch({ space: mixed, observations: [], pending, count: 1, direction: 'minimize', seed: 5, method: 'gp-logei', initialDesign: 6 });
      pending.push(r.proposals[0].params);
    }
    expect(pending).toEqual(batch.proposals.map((p) => p.params));
  });

  it('with trial numbers, the design is trials 0..initialDesign-1 whatever order concurrent slots ask in', () => {
    // Slots for trials 8..11 take the proposer's lock in the order 10, 8, 11, 9 (as concurrent
    // activities may): trial 10 still gets the model, trial 9 still gets its design point.
    const observations = history(8, 3);
    const pending: TParams[] = [];
    const kinds = new Map<number, string>();
    const params = new Map<number, TParams>();
    for (const n of [10, 8, 11, 9]) {
      const r = proposeBatch({ space: mixed, observations, pending, count: 1, numbers: [n], direction: 'minimize', seed: 3, method: 'gp-logei', initialDesign: 10 });
      kinds.set(n, r.proposals[0].reason.kind);
      params.set(n, r.proposals[0].params);
      pending.push(r.proposals[0].params);
    }
    expect([8, 9, 10, 11].map((n) => kinds.get(n))).toEqual(['initial', 'initial', 'acquisition', 'acquisition']);
    // The design points are the same as those of an in-order batch.
    const inOrder = proposeBatch({ space: mixed, observations, count: 2, numbers: [8, 9], direction: 'minimize', seed: 3, method: 'gp-logei', initialDesign: 10 });
    expect(inOrder.proposals.map((p) => p.params)).toEqual([params.get(8), params.get(9)]);
    expect(() => proposeBatch({ space: mixed, observations, count: 2, numbers: [9, 8], direction: 'minimize', seed: 3, method: 'gp-logei', initialDesign: 10 })).toThrow(/numbers must be 2 ascending/);
  });

  it('never duplicates pending or observed points and returns valid int/categorical params (every method)', () => {
    const observations = history(10);
    const pending = history(14, 9).slice(10).map((o) => o.params);
    // A pending point identical to an observed one must not confuse anything either.
    pending.push(observations[3].params);
    const taken = new Set([...observations.map((o) => paramsKey(enc, o.params)), ...pending.map((p) => paramsKey(enc, p))]);
    for (const method of BO_METHODS) {
      const r = proposeBatch({ space: mixed, observations, pending, count: 5, direction: 'minimize', seed: 1, method, initialDesign: 8 });
      expect(r.proposals).toHaveLength(5);
      const keys = r.proposals.map((p) => paramsKey(enc, p.params));
      expect(new Set(keys).size).toBe(5);
      for (const k of keys) expect(taken.has(k)).toBe(false);
      for (const p of r.proposals) {
        expectValid(p.params);
        expect(p.reason.method).toBe(method);
      }
      if (method.startsWith('gp') || method.startsWith('ibnn')) {
        expect(r.proposals.every((p) => p.reason.kind === 'acquisition' && Number.isFinite(p.reason.acquisitionValue))).toBe(true);
        expect(r.state.gp?.theta.every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('spreads a batch: kriging-believer fantasies keep proposals apart', () => {
    const observations = history(12);
    const r = proposeBatch({ space: mixed, observations, count: 4, direction: 'minimize', seed: 2, method: 'gp-logei', initialDesign: 8 });
    const xs = r.proposals.map((p) => p.params);
    for (let i = 0; i < xs.length; i++)
      for (let j = 0; j < i; j++) expect(paramsKey(enc, xs[i])).not.toBe(paramsKey(enc, xs[j]));
  });

  it('fills the last free points of an exhausted discrete space and then stops', () => {
    const small = ZSpace.parse([
      { type: 'int', name: 'k', low: 0, high: 2 },
      { type: 'categorical', name: 'c', choices: [true, false] },
    ]);
    const all = [0, 1, 2].flatMap((k) => [true, false].map((c) => ({ k, c })));
    const observations = all.slice(0, 4).map((params, i) => ({ params, value: i }));
    // A stale observation from outside the space must not count as one of its points.
    observations.push({ params: { k: 7, c: true }, value: 9 });
    for (const method of BO_METHODS) {
      const r = proposeBatch({ space: small, observations, pending: [all[4]], count: 3, direction: 'minimize', seed: 0, method, initialDesign: 2 });
      expect(r.proposals.map((p) => p.params)).toEqual([all[5]]);
    }
  });

  it('is deterministic given the seed', () => {
    const observations = history(10);
    const run = (seed: number) => proposeBatch({ space: mixed, observations, count: 2, direction: 'minimize', seed, method: 'gp-logei', initialDesign: 8 });
    expect(run(3)).toEqual(run(3));
    expect(run(3).proposals).not.toEqual(run(4).proposals);
  });

  it('handles maximisation, failed trials, known noise and warm-start state', () => {
    const space = ZSpace.parse([{ type: 'float', name: 'x', low: 0, high: 1 }]);
    const f = (x: number) => -((x - 0.7) ** 2);
    const observations: BoObservation[] = [0.05, 0.2, 0.35, 0.5, 0.62, 0.8, 0.95].map((x) => ({ params: { x }, value: f(x), noiseVar: 1e-6 }));
    observations.push({ params: { x: 0.75 }, value: NaN });
    const first = proposeBatch({ space, observations, count: 1, direction: 'maximize', seed: 0, method: 'gp-logei', initialDesign: 4 });
    const x = first.proposals[0].params.x as number;
    expect(Math.abs(x - 0.7)).toBeLessThan(0.1);
    expect(x).not.toBe(0.75); // the failed point is not proposed again
    const again = proposeBatch({ space, observations, count: 1, direction: 'maximize', seed: 0, method: 'gp-logei', initialDesign: 4, state: first.state });
    expect(again.state.gp?.theta).toHaveLength(first.state.gp!.theta.length);
    expect(Math.abs((again.proposals[0].params.x as number) - 0.7)).toBeLessThan(0.1);
    const ucb = proposeBatch({ space, observations, count: 1, direction: 'maximize', seed: 0, method: 'gp-ucb', initialDesign: 4 });
    // For maximisation the reported UCB bound is an optimistic value of the objective.
    expect(ucb.proposals[0].reason.acquisitionValue!).toBeGreaterThan(-0.01);
  });

  it('caps the points the GP is fitted on', () => {
    const observations = history(40);
    const r = proposeBatch({ space: mixed, observations, count: 1, direction: 'minimize', seed: 0, method: 'gp-logei', initialDesign: 8, options: { maxModelPoints: 16 } });
    expect(r.proposals).toHaveLength(1);
    expectValid(r.proposals[0].params);
    expect(r.state.gp?.theta.every(Number.isFinite)).toBe(true);
  });

  it('survives absurd values and constant objectives', () => {
    const base = history(10);
    for (const values of [base.map((_, i) => (i % 2 ? 1e300 : -1e300)), base.map(() => 3)]) {
      const observations = base.map((o, i) => ({ ...o, value: values[i] }));
      for (const method of ['gp-logei', 'ibnn-logei', 'tpe'] as const) {
        const r = proposeBatch({ space: mixed, observations, count: 2, direction: 'minimize', seed: 0, method, initialDesign: 4 });
        expect(r.proposals).toHaveLength(2);
        r.proposals.forEach((p) => expectValid(p.params));
      }
    }
  });

  it('rejects bad arguments', () => {
    expect(() => proposeBatch({ space: mixed, observations: [], count: -1, direction: 'minimize', seed: 0, method: 'gp-logei', initialDesign: 1 })).toThrow(/count/);
    expect(() => proposeBatch({ space: mixed, observations: [], count: 1, direction: 'minimize', seed: 0, method: 'nope' as never, initialDesign: 1 })).toThrow(/method/);
  });

  describe('conditional parameters', () => {
    const cond = ZSpace.parse([
      { type: 'categorical', name: 'optimizer', choices: ['sgd', 'adam', 'rmsprop'] },
      { type: 'float', name: 'momentum', low: 0, high: 1, when: { param: 'optimizer', in: ['sgd'] } },
      { type: 'float', name: 'beta', low: 0, high: 1, when: { param: 'optimizer', in: ['adam'] } },
      { type: 'float', name: 'lr', low: 0, high: 1 },
    ]);
    const condEnc = createEncoding(cond);
    // Best: sgd with momentum 0.8 and lr 0.3 (0); adam bottoms out at 0.5, rmsprop at 1.
    const f = (p: TParams) => {
      const lr = ((p.lr as number) - 0.3) ** 2;
      if (p.optimizer === 'sgd') return lr + 4 * ((p.momentum as number) - 0.8) ** 2;
      if (p.optimizer === 'adam') return 0.5 + lr + ((p.beta as number) - 0.5) ** 2;
      return 1 + lr;
    };
    const shape = (p: TParams) => {
      expect('momentum' in p).toBe(p.optimizer === 'sgd');
      expect('beta' in p).toBe(p.optimizer === 'adam');
      expect(typeof p.lr).toBe('number');
    };

    it('every method proposes only active parameters, never a duplicate', () => {
      for (const method of BO_METHODS) {
        const observations: BoObservation[] = [];
        for (let round = 0; round < 4; round++) {
          const r = proposeBatch({ space: cond, observations, count: 3, direction: 'minimize', seed: 4, method, initialDesign: 6 });
          expect(r.proposals).toHaveLength(3);
          for (const p of r.proposals) {
            shape(p.params);
            observations.push({ params: p.params, value: f(p.params) });
          }
        }
        expect(new Set(observations.map((o) => paramsKey(condEnc, o.params))).size).toBe(observations.length);
      }
    });

    it('the GP finds the best branch and its conditional optimum', () => {
      const observations: BoObservation[] = [];
      let state = null;
      for (let t = 0; t < 30; t++) {
        const r = proposeBatch({ space: cond, observations, count: 1, direction: 'minimize', seed: 1, method: 'gp-logei', initialDesign: 8, state });
        state = r.state;
        const p = r.proposals[0].params;
        observations.push({ params: p, value: f(p) });
      }
      const best = observations.reduce((a, b) => (b.value < a.value ? b : a));
      expect(best.params.optimizer).toBe('sgd');
      expect(best.value).toBeLessThan(0.01);
    });

    it('exhausts a discrete conditional space exactly', () => {
      const small = ZSpace.parse([
        { type: 'categorical', name: 'c', choices: ['a', 'b'] },
        { type: 'int', name: 'k', low: 0, high: 3, when: { param: 'c', in: ['a'] } },
      ]);
      // 4 points under a, 1 under b.
      for (const method of BO_METHODS) {
        const r = proposeBatch({ space: small, observations: [{ params: { c: 'a', k: 0 }, value: 1 }, { params: { c: 'a', k: 1 }, value: 2 }], count: 5, direction: 'minimize', seed: 0, method, initialDesign: 1 });
        const keys = r.proposals.map((p) => JSON.stringify(p.params)).sort();
        expect(keys).toEqual([{ c: 'a', k: 2 }, { c: 'a', k: 3 }, { c: 'b' }].map((p) => JSON.stringify(p)).sort());
      }
    });
  });
});
