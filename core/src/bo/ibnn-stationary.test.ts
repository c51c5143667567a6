import { describe, expect, it } from 'vitest';
import { checkGradient, checkInputGradient, makeData } from './gp-test-support';
import { GpModel, fitGp } from './gp';
import { IbnnKernel } from './ibnn';
import { StationaryIbnnKernel } from './ibnn-stationary';

describe('GP with the stationary-input I-BNN kernel', () => {
  it('log-posterior and input gradients match finite differences', () => {
    const data = makeData(20, 4, 6, [3]);
    const kernel = new StationaryIbnnKernel(4, [0, 0, 0, 3], { depth: 3 });
    checkGradient(kernel, data, [Math.log(1.7), Math.log(0.2), Math.log(0.4), Math.log(1e-2), 0.1]);
    const model = GpModel.condition(kernel, data, [Math.log(1.7), Math.log(0.2), Math.log(0.4), Math.log(1e-3), 0.1]);
    checkInputGradient(model, Float64Array.of(0.2, 0.9, 0.45, 0.5), [3]);
  });

  it('is translation invariant: shifting every point by the same vector leaves the kernel matrix unchanged', () => {
    const data = makeData(12, 3, 9);
    const k = new StationaryIbnnKernel(3);
    k.setTheta([Math.log(1.3), Math.log(0.05), Math.log(0.3)]);
    const K = new Float64Array(144), Ks = new Float64Array(144);
    k.matrix(data.X, 12, K);
    const shifted = data.X.map((v, i) => v * 0.5 + [0.37, 0.05, 0.21][i % 3]);
    const half = data.X.map((v) => v * 0.5);
    k.matrix(half, 12, K);
    k.matrix(shifted, 12, Ks);
    for (let i = 0; i < 144; i++) expect(Ks[i]).toBeCloseTo(K[i], 12);
    // And it is not trivially constant: distant points correlate less.
    expect(K[1]).toBeLessThan(K[0]);
  });

  it('its posterior moves with the data; the dot-product I-BNN posterior does not', () => {
    // The same observations, once in the lower-left half of the cube and once shifted by v.
    const data = makeData(15, 2, 4);
    const v = [0.45, 0.3];
    const X0 = data.X.map((x) => 0.5 * x);
    const X1 = X0.map((x, i) => x + v[i % 2]);
    const q0 = Float64Array.of(0.2, 0.35), q1 = Float64Array.of(0.2 + v[0], 0.35 + v[1]);
    const gap = (kernel: StationaryIbnnKernel | IbnnKernel, theta: number[]) => {
      const m0 = GpModel.condition(kernel, { ...data, X: X0 }, theta);
      const a = new Float64Array(1), av = new Float64Array(1);
      m0.predict(q0, 1, a, av);
      const m1 = GpModel.condition(kernel, { ...data, X: X1 }, theta);
      const b = new Float64Array(1), bv = new Float64Array(1);
      m1.predict(q1, 1, b, bv);
      return Math.abs(a[0] - b[0]) + Math.abs(av[0] - bv[0]);
    };
    expect(gap(new StationaryIbnnKernel(2), [Math.log(2), Math.log(0.1), Math.log(0.3), Math.log(1e-4), 0])).toBeLessThan(1e-9);
    expect(gap(new IbnnKernel(2), [Math.log(2), Math.log(0.1), Math.log(1e-4), 0])).toBeGreaterThan(1e-3);
  });

  it('fits and predicts sensibly on a smooth function', () => {
    const data = makeData(30, 3, 7);
    const model = fitGp(new StationaryIbnnKernel(3), data);
    const mean = new Float64Array(data.n), vr = new Float64Array(data.n);
    model.predict(data.X, data.n, mean, vr);
    let err = 0;
    for (let i = 0; i < data.n; i++) err += (mean[i] - data.y[i]) ** 2 / data.n;
    expect(err).toBeLessThan(0.05);
  });
});
