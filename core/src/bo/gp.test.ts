import { describe, expect, it } from 'vitest';
import { checkGradient, checkInputGradient, makeData } from './gp-test-support';
import { GpModel, fitGp } from './gp';
import { Matern52Kernel } from './kernel';

describe('GP with the Matérn-5/2 ARD kernel', () => {
  it('log-posterior gradients match central finite differences', () => {
    const data = makeData(25, 3, 1);
    checkGradient(new Matern52Kernel(3), data, [-0.7, 0.1, -1.2, 0.3, Math.log(1e-2), 0.2]);
  });

  it('gradients also hold with a categorical (Hamming) coordinate and known noise', () => {
    const data = makeData(30, 3, 2, [1]);
    data.knownNoise = Float64Array.from({ length: 30 }, (_, i) => 0.01 * (1 + (i % 3)));
    checkGradient(new Matern52Kernel(3, [1]), data, [-0.5, -0.3, 0.2, -0.1, Math.log(1e-3), -0.3]);
  });

  it('interpolates noiseless data at the training points after fitting', () => {
    const data = makeData(30, 2, 3);
    const model = fitGp(new Matern52Kernel(2), data);
    expect(model.noiseVariance).toBeLessThan(1e-3);
    const mean = new Float64Array(data.n), vr = new Float64Array(data.n);
    model.predict(data.X, data.n, mean, vr);
    for (let i = 0; i < data.n; i++) {
      expect(Math.abs(mean[i] - data.y[i])).toBeLessThan(1e-2);
      expect(vr[i]).toBeLessThan(1e-3);
    }
    // Far from the data the variance returns towards the prior.
    const far = new Float64Array(1), farV = new Float64Array(1);
    model.predict(Float64Array.of(0.5, 0.5), 1, far, farV);
    expect(Number.isFinite(far[0])).toBe(true);
  });

  it('posterior mean/variance input gradients match finite differences', () => {
    const data = makeData(20, 3, 4, [2]);
    const model = GpModel.condition(new Matern52Kernel(3, [2]), data, [-1, -0.5, 0, 0.2, Math.log(1e-3), 0.1]);
    checkInputGradient(model, Float64Array.of(0.31, 0.77, 0.5), [2]);
  });

  it('adding a fantasy at the posterior mean keeps the mean and shrinks the variance', () => {
    const data = makeData(20, 2, 5);
    const model = GpModel.condition(new Matern52Kernel(2), data, [-1, -1, 0, Math.log(1e-4), 0]);
    const x = Float64Array.of(0.42, 0.13);
    const m = new Float64Array(1), v = new Float64Array(1);
    model.predict(x, 1, m, v);
    const more = model.withObservation(x, m[0]);
    const probe = Float64Array.of(0.45, 0.15);
    const m0 = new Float64Array(1), v0 = new Float64Array(1), m1 = new Float64Array(1), v1 = new Float64Array(1);
    model.predict(probe, 1, m0, v0);
    more.predict(probe, 1, m1, v1);
    expect(m1[0]).toBeCloseTo(m0[0], 8);
    expect(v1[0]).toBeLessThan(v0[0]);
    more.predict(x, 1, m1, v1);
    expect(v1[0]).toBeLessThan(2e-4);
    // Same as conditioning from scratch.
    const X2 = new Float64Array(42); X2.set(data.X); X2.set(x, 40);
    const y2 = new Float64Array(21); y2.set(data.y); y2[20] = m[0];
    const direct = GpModel.condition(new Matern52Kernel(2), { X: X2, n: 21, d: 2, y: y2 }, more.theta);
    const m2 = new Float64Array(1), v2 = new Float64Array(1);
    direct.predict(probe, 1, m2, v2);
    more.predict(probe, 1, m1, v1);
    expect(m1[0]).toBeCloseTo(m2[0], 8);
    expect(v1[0]).toBeCloseTo(v2[0], 8);
  });

  it('a cold fit on many points (fresh starts on a subset, refined on all) reaches the full multi-start optimum', () => {
    const data = makeData(160, 4, 6);
    // An explicit maxIter takes the plain path: every start optimised on all 160 points.
    const full = fitGp(new Matern52Kernel(4), data, { restarts: 3, maxIter: 60, seed: 1 });
    const fast = fitGp(new Matern52Kernel(4), data, { restarts: 3, seed: 1 });
    expect(Number.isFinite(fast.logPosterior)).toBe(true);
    expect(fast.logPosterior).toBeGreaterThan(full.logPosterior - 0.5);
    const again = fitGp(new Matern52Kernel(4), data, { restarts: 3, seed: 1 });
    expect(Array.from(again.theta)).toEqual(Array.from(fast.theta));
  });
});
