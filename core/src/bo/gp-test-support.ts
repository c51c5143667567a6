import { expect } from 'vitest';
import { CounterRng } from '../rng';
import { GpModel, GpObjective, type GpData, type PosteriorPoint } from './gp';
import type { Kernel } from './kernel';

/** Fixtures and finite-difference checks shared by the GP kernel tests (imported by tests only). */

export function makeData(n: number, d: number, seed: number, catDims: number[] = [], card = 3): GpData {
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

export function checkGradient(kernel: Kernel, data: GpData, theta: number[]) {
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

export function checkInputGradient(model: GpModel, x: Float64Array, frozen: number[] = []) {
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
