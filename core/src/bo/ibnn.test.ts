import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { GpModel, GpObjective, fitGp, type GpData, type PosteriorPoint } from './gp';
import { IbnnKernel } from './ibnn';
import type { Kernel } from './kernel';

function makeData(n: number, d: number, seed: number, catDims: number[] = [], card = 3): GpData {
  const rng = new CounterRng(seed, 1);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      X[i * d + k] = catDims.includes(k) ? (rng.int(card) + 0.5) / card : rng.uniform();
    }
    let s = 0;
    for (let k = 0; k < d; k++) s += Math.sin(3 * X[i * d + k] + k) * (k + 1) * 0.5;
    y[i] = s;
  }
  let m = 0;
  for (const v of y) m += v / n;
  let sd = 0;
  for (const v of y) sd += (v - m) ** 2 / n;
  for (let i = 0; i < n; i++) y[i] = (y[i] - m) / Math.sqrt(sd);
  return { X, n, d, y };
}

function checkGradient(kernel: Kernel, data: GpData, theta: number[]) {
  const obj = new GpObjective(kernel, data);
  const g = new Float64Array(theta.length);
  obj.evaluate(theta, g);
  const scratch = new Float64Array(theta.length);
  for (let k = 0; k < theta.length; k++) {
    const h = 1e-5;
    const tp = theta.slice(); tp[k] += h;
    const tm = theta.slice(); tm[k] -= h;
    const fd = (obj.evaluate(tp, scratch) - obj.evaluate(tm, scratch)) / (2 * h);
    expect(Math.abs(fd - g[k]) / Math.max(1e-2, Math.abs(g[k]))).toBeLessThan(1e-4);
  }
}

function checkInputGradient(model: GpModel, x: Float64Array, frozen: number[] = []) {
  const d = x.length;
  const out: PosteriorPoint = { mean: 0, variance: 0, dMean: new Float64Array(d), dVariance: new Float64Array(d) };
  model.predictWithGradient(x, out);
  const gm = out.dMean.slice(), gv = out.dVariance.slice();
  const mean = new Float64Array(1), vr = new Float64Array(1);
  model.predict(x, 1, mean, vr);
  expect(mean[0]).toBeCloseTo(out.mean, 12);
  expect(vr[0]).toBeCloseTo(out.variance, 12);
  for (let k = 0; k < d; k++) {
    if (frozen.includes(k)) { expect(gm[k]).toBe(0); continue; }
    const h = 1e-6;
    const xp = x.slice(); xp[k] += h;
    const xm = x.slice(); xm[k] -= h;
    const mp = new Float64Array(1), vp = new Float64Array(1), mm = new Float64Array(1), vm = new Float64Array(1);
    model.predict(xp, 1, mp, vp);
    model.predict(xm, 1, mm, vm);
    expect(Math.abs((mp[0] - mm[0]) / (2 * h) - gm[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gm[k])));
    expect(Math.abs((vp[0] - vm[0]) / (2 * h) - gv[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(gv[k])));
  }
}

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
