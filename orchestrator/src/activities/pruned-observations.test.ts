import { describe, expect, it } from 'vitest';
import { prunedObservations } from './propose-trials';

/** What BO learns from pruned trials (propose-trials.ts): their best intermediate value, capped at the completed median. */
describe('prunedObservations', () => {
  const history = {
    completed: [
      { number: 0, params: { lr: 0.1 }, value: 1, stderr: null },
      { number: 1, params: { lr: 0.2 }, value: 2, stderr: null },
      { number: 2, params: { lr: 0.3 }, value: 3, stderr: null },
      // A failed trial (no value) does not move the median.
      { number: 3, params: { lr: 0.4 }, value: null, stderr: null },
    ],
    pending: [],
  };

  it('enter with their best value, never better than the median final value of the completed trials', () => {
    const pruned = [
      { number: 4, params: { lr: 0.5 }, best: 0.2 },
      { number: 5, params: { lr: 0.6 }, best: 7 },
    ];
    expect(prunedObservations('minimize', history, pruned)).toEqual([{ params: { lr: 0.5 }, value: 2 }, { params: { lr: 0.6 }, value: 7 }]);
    expect(prunedObservations('maximize', history, pruned)).toEqual([{ params: { lr: 0.5 }, value: 0.2 }, { params: { lr: 0.6 }, value: 2 }]);
  });

  it('with no completed trial yet, enter with their own best value; none pruned, none added', () => {
    expect(prunedObservations('minimize', { completed: [], pending: [] }, [{ number: 0, params: { lr: 1 }, best: 0.5 }])).toEqual([{ params: { lr: 1 }, value: 0.5 }]);
    expect(prunedObservations('minimize', history, [])).toEqual([]);
  });
});
