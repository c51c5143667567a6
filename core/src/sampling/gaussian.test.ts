import { describe, expect, it } from 'vitest';
import { initialNoise } from '../rng';
import {
  createGmm,
  evaluateGmm,
  gaussianEps,
  gaussianFlowSolution,
  gmmEps,
  gmmLogDensity,
  gmmScore,
  isotropicGaussian,
  sampleGmm,
  sampleGmmBatch,
} from './gaussian';
import { getNoiseSchedule } from './noise-schedules';

const ns = getNoiseSchedule('vp-linear');

const gmm2d = createGmm({
  weights: [0.5, 0.3, 0.2],
  means: [[-1.5, 0.5], [1.0, 1.2], [0.8, -1.4]],
  variances: [0.09, 0.25, 0.04],
});

describe('single Gaussian', () => {
  const g = isotropicGaussian([0.7, -1.2, 0.3, 2.0], 0.5);

  it('flow solution solves dx/dt = f(t) x + g^2/(2 sigma) eps (the probability-flow ODE)', () => {
    // VP linear: f = -beta/2, g^2 = beta, beta(t) = 0.1 + 19.9 t; check the ODE by central differences.
    const xT = initialNoise(1, 0, 4);
    for (const t of [0.9, 0.5, 0.1, 0.01]) {
      const dt = 1e-6;
      const xt = gaussianFlowSolution(g, ns, xT, 1, t);
      const dx = gaussianFlowSolution(g, ns, xT, 1, t + dt).map((v, i) => (v - gaussianFlowSolution(g, ns, xT, 1, t - dt)[i]) / (2 * dt));
      const beta = 0.1 + 19.9 * t;
      const eps = gaussianEps(g, xt, ns.alpha(t), ns.sigma(t));
      for (let i = 0; i < 4; i++) {
        const rhs = -0.5 * beta * xt[i] + (beta / (2 * ns.sigma(t))) * eps[i];
        expect(dx[i]).toBeCloseTo(rhs, 5);
      }
    }
  });

  it('flow map is the identity from t to t and composes', () => {
    const x = initialNoise(2, 0, 4);
    const direct = gaussianFlowSolution(g, ns, x, 1, 0.2);
    const viaMid = gaussianFlowSolution(g, ns, gaussianFlowSolution(g, ns, x, 1, 0.6), 0.6, 0.2);
    for (let i = 0; i < 4; i++) expect(viaMid[i]).toBeCloseTo(direct[i], 13);
    expect(Array.from(gaussianFlowSolution(g, ns, x, 0.4, 0.4))).toEqual(Array.from(x).map((v) => expect.closeTo(v, 14)));
  });

  it('single-component GMM eps equals the Gaussian eps', () => {
    const one = createGmm({ weights: [1], means: [Array.from(g.mean)], variances: [0.25] });
    const x = initialNoise(3, 0, 8);
    const a = gmmEps(one, ns, x, 0.3), b = gaussianEps(g, x, ns.alpha(0.3), ns.sigma(0.3));
    for (let i = 0; i < 8; i++) expect(a[i]).toBeCloseTo(b[i], 13);
  });
});

describe('Gaussian mixture (float64)', () => {
  it.each([0, 0.05, 0.4])('log-density integrates to 1 over the plane at t=%s', (t) => {
    const lo = -6, hi = 6, n = 600, h = (hi - lo) / n;
    const pts = new Float64Array(2 * n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      pts[2 * (i * n + j)] = lo + (i + 0.5) * h;
      pts[2 * (i * n + j) + 1] = lo + (j + 0.5) * h;
    }
    const lp = gmmLogDensity(gmm2d, ns, pts, t);
    let mass = 0;
    for (const v of lp) mass += Math.exp(v) * h * h;
    expect(mass).toBeCloseTo(1, 5);
  });

  it('eps = -sigma grad log p_t (central finite differences)', () => {
    const x = Float64Array.from([0.3, -0.2, -1.1, 0.6, 2.0, 1.5]);
    for (const t of [0.02, 0.3, 0.8]) {
      const eps = gmmEps(gmm2d, ns, x, t), score = gmmScore(gmm2d, ns, x, t);
      const sigma = ns.sigma(t), d = 1e-5;
      for (let b = 0; b < 3; b++) for (let j = 0; j < 2; j++) {
        const xp = x.slice(), xm = x.slice();
        xp[2 * b + j] += d;
        xm[2 * b + j] -= d;
        const fd = (gmmLogDensity(gmm2d, ns, xp, t)[b] - gmmLogDensity(gmm2d, ns, xm, t)[b]) / (2 * d);
        expect(score[2 * b + j]).toBeCloseTo(fd, 6);
        expect(eps[2 * b + j]).toBeCloseTo(-sigma * fd, 6);
      }
    }
  });

  it('stays finite far from every component (log-space softmax)', () => {
    const far = Float64Array.from([400, -300]);
    const r = evaluateGmm(gmm2d, far, 1, 0, { logDensity: true, score: true });
    expect(Number.isFinite(r.logDensity![0])).toBe(true);
    expect(r.score!.every(Number.isFinite)).toBe(true);
  });

  it('samples exactly: reproducible per (seed, index), matching mean and variance', () => {
    expect(sampleGmm(gmm2d, 5, 17)).toEqual(sampleGmm(gmm2d, 5, 17));
    expect(sampleGmm(gmm2d, 5, 17)).not.toEqual(sampleGmm(gmm2d, 5, 18));
    const n = 40_000;
    const xs = sampleGmmBatch(gmm2d, 11, 0, n);
    const mean = [0, 0];
    let sq = 0;
    for (let i = 0; i < n; i++) {
      mean[0] += xs[2 * i] / n;
      mean[1] += xs[2 * i + 1] / n;
      sq += xs[2 * i] ** 2 / n;
    }
    const w = [0.5, 0.3, 0.2], m0 = [-1.5, 1.0, 0.8], m1 = [0.5, 1.2, -1.4], v = [0.09, 0.25, 0.04];
    const eMean0 = w.reduce((s, wk, k) => s + wk * m0[k], 0), eMean1 = w.reduce((s, wk, k) => s + wk * m1[k], 0);
    const eSq0 = w.reduce((s, wk, k) => s + wk * (m0[k] ** 2 + v[k]), 0);
    expect(Math.abs(mean[0] - eMean0)).toBeLessThan(0.03);
    expect(Math.abs(mean[1] - eMean1)).toBeLessThan(0.03);
    expect(Math.abs(sq - eSq0)).toBeLessThan(0.04);
  });

  it('rejects malformed mixtures', () => {
    expect(() => createGmm({ weights: [1, 1], means: [[0, 0]], variances: [1, 1] })).toThrow(/same length/);
    expect(() => createGmm({ weights: [1], means: [[0, 0]], variances: [0] })).toThrow(/variance 0/);
  });
});
