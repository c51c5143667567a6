import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { scheduleTimesteps, type TSolverSchedule } from '../sampling/schedule';
import { encodeAll, encodingDim } from './encoding';
import { crossValidate, fitPredictor, PREDICTOR_NAMES, targets } from './predictor';
import { randomSchedule } from './random';
import { spearman } from './rank';
import { parseS3Space } from './space';

const space = parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
/**
 * A synthetic objective with a known ordering: it depends on the grid (distance of the step
 * positions from a target grid, in t), the orders and the prediction types, times a
 * multiplicative spread over decades like real errors.
 */
function synthetic(s: TSolverSchedule): number {
  const ts = scheduleTimesteps(s);
  let grid = 0;
  for (let k = 1; k < ts.length - 1; k++) grid += Math.abs(Math.sqrt(ts[k]) - (1 - k / (ts.length - 1)));
  const orders = s.steps.reduce((a, st) => a + Math.abs(st.order - 2), 0);
  const data = s.steps.filter((st) => st.prediction === 'data').length / s.steps.length;
  return Math.exp(2 * grid + 0.4 * orders - 1.5 * data + (s.analyticFirstStep ? -0.5 : 0));
}

function dataset(n: number, seed: number) {
  const rng = new CounterRng(seed);
  const schedules = Array.from({ length: n }, () => randomSchedule(space, rng));
  return { X: encodeAll(schedules, space), values: schedules.map(synthetic) };
}

describe('S3 predictors', () => {
  it('rank a synthetic objective with a known ordering well on held-out schedules (rho > 0.8)', () => {
    const d = encodingDim(space.nfe);
    const train = dataset(160, 1), test = dataset(120, 2);
    for (const name of PREDICTOR_NAMES) {
      const model = fitPredictor(name, train.X, 160, d, train.values, 3);
      expect(model.name).toBe(name);
      const rho = spearman(model.predict(test.X, 120), test.values);
      expect(rho, name).toBeGreaterThan(0.8);
    }
    const cv = crossValidate('gp', train.X, 160, d, train.values, 4);
    expect(cv.n).toBe(160);
    expect(cv.spearman).toBeGreaterThan(0.8);
    expect(cv.kendall).toBeGreaterThan(0.6);
  });

  it('fall back to a constant predictor on degenerate input and report no held-out figure', () => {
    const d = encodingDim(space.nfe);
    const one = dataset(2, 5);
    for (const name of PREDICTOR_NAMES) {
      const model = fitPredictor(name, one.X, 2, d, one.values);
      expect(model.name).toBe('constant');
      expect(Array.from(model.predict(one.X, 2))).toEqual([0, 0]);
    }
    const cv = crossValidate('gp', one.X, 2, d, one.values);
    expect(cv.spearman).toBeNaN();
    expect(cv.n).toBe(0);
    const flat = dataset(10, 6);
    expect(fitPredictor('gp', flat.X, 10, d, new Array(10).fill(0.3)).name).toBe('constant');
  });

  it('treat failed evaluations as worse than every success', () => {
    const y = targets([0.1, NaN, 0.01, 1, -1]);
    expect(y[1]).toBeGreaterThan(y[3]);
    expect(y[4]).toBe(y[1]);
    expect(y[2]).toBeLessThan(y[0]);
  });
});
