import { describe, expect, it } from 'vitest';
import { checkGradient, checkInputGradient, makeData } from './gp-test-support';
import { GpModel, fitGp } from './gp';
import { IbnnKernel } from './ibnn';

describe('GP with the infinite-width ReLU (I-BNN) kernel', () => {
  it('log-posterior and input gradients match finite differences', () => {
    const data = makeData(20, 4, 6, [3]);
    const kernel = new IbnnKernel(4, [0, 0, 0, 3], { depth: 3 });
    checkGradient(kernel, data, [Math.log(1.7), Math.log(0.2), Math.log(1e-2), 0.1]);
    const model = GpModel.condition(kernel, data, [Math.log(1.7), Math.log(0.2), Math.log(1e-3), 0.1]);
    checkInputGradient(model, Float64Array.of(0.2, 0.9, 0.45, 0.5), [3]);
  });

  it('reduces to the arc-cosine closed form for one layer', () => {
    const k = new IbnnKernel(2, [], { depth: 1 });
    k.setTheta([0, Math.log(1e-9)]); // sw = 1, sb ~ 0
    const X = Float64Array.of(1, 0.5, 0.5, 1); // features (1, 0) and (0, 1): orthogonal
    const K = new Float64Array(4);
    k.matrix(X, 2, K);
    // K0 = diag(1/2, 1/2), angle pi/2: K1_12 = (1/2pi) * 1/2 * (1 + 0) ; K1_11 = 1/4.
    expect(K[1]).toBeCloseTo(1 / (4 * Math.PI), 7);
    expect(K[0]).toBeCloseTo(0.25, 7);
  });

  it('fits and predicts sensibly on a smooth function', () => {
    const data = makeData(30, 3, 7);
    const model = fitGp(new IbnnKernel(3), data);
    const mean = new Float64Array(data.n), vr = new Float64Array(data.n);
    model.predict(data.X, data.n, mean, vr);
    let err = 0;
    for (let i = 0; i < data.n; i++) err += (mean[i] - data.y[i]) ** 2 / data.n;
    expect(err).toBeLessThan(0.05);
  });
});
