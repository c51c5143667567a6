import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { frechetDistance, frechetStat, gmmMoments } from './frechet';
import { gaussianFitStat } from './gaussian-fit';
import { createGmm, sampleGmmBatch } from '../sampling/gaussian';
import { matMul, symmetricEigen } from './symmetric-eigen';

function diag(values: number[]): Float64Array {
  const n = values.length, out = new Float64Array(n * n);
  values.forEach((v, i) => (out[i * n + i] = v));
  return out;
}

/** A random orthogonal matrix: eigenvectors of a random symmetric matrix. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const rng = new CounterRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return symmetricEigen(a, n).vectors!;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** Rows of N(mean, L L^T). */
function gaussianSamples(mean: number[], chol: Float64Array, n: number, seed: number): Float64Array {
  const d = mean.length, rng = new CounterRng(seed), out = new Float64Array(n * d), z = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    rng.fillNormal(z);
    for (let i = 0; i < d; i++) {
      let s = mean[i];
      for (let k = 0; k <= i; k++) s += chol[i * d + k] * z[k];
      out[r * d + i] = s;
    }
  }
  return out;
}

describe('Fréchet distance of Gaussians', () => {
  it('matches the closed form for diagonal covariances', () => {
    const m1 = [0, 1, -2, 0.5], m2 = [1, 1, 0, 0];
    const a = [1, 4, 0.25, 2], b = [2, 1, 0.25, 9];
    let expected = 0;
    for (let i = 0; i < 4; i++) expected += (m1[i] - m2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    expect(frechetDistance(m1, diag(a), m2, diag(b), 4)).toBeCloseTo(expected, 12);
  });

  it('matches the closed form for commuting (jointly diagonalizable) covariances', () => {
    const n = 6, Q = randomOrthogonal(n, 11), Qt = transpose(Q, n);
    const a = [0.3, 1, 2, 5, 0.01, 1.5], b = [1, 1, 0.5, 4, 0.2, 3];
    const s1 = matMul(matMul(Q, diag(a), n), Qt, n), s2 = matMul(matMul(Q, diag(b), n), Qt, n);
    const expected = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0);
    const zero = new Array(n).fill(0);
    expect(frechetDistance(zero, s1, zero, s2, n)).toBeCloseTo(expected, 10);
  });

  it('matches the 2x2 closed form for non-commuting covariances', () => {
    // For 2x2 PSD M: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)), with M = A S2 A similar to S1 S2.
    const s1 = [2, 0.7, 0.7, 1], s2 = [0.5, -0.3, -0.3, 3];
    const trS1S2 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
    const det = (m: number[]) => m[0] * m[3] - m[1] * m[2];
    const trSqrt = Math.sqrt(trS1S2 + 2 * Math.sqrt(det(s1) * det(s2)));
    const expected = 1 + 4 + 3 + 3.5 - 2 * trSqrt; // |(1,2)|^2 + tr S1 + tr S2 - 2 tr sqrt
    expect(frechetDistance([0, 0], s1, [1, 2], s2, 2)).toBeCloseTo(expected, 12);
  });

  it('is 0 for identical statistics', () => {
    const n = 8, Q = randomOrthogonal(n, 5);
    const s = matMul(Q, transpose(Q, n), n); // ~identity, but through rounding
    for (let i = 0; i < n; i++) s[i * n + i] += i;
    const m = Array.from({ length: n }, (_, i) => i - 3);
    expect(frechetDistance(m, s, m, s, n)).toBeLessThan(1e-10);
    const state = frechetStat.empty(3);
    const x = gaussianSamples([1, 2, 3], diag([1, 1, 1]), 200, 9);
    frechetStat.add(state, { generated: x, reference: x });
    expect(frechetStat.finalize(state).frechet).toBeLessThan(1e-10);
  });

  it('merging two halves equals adding the whole, and states survive JSON', () => {
    const d = 5;
    const x = gaussianSamples([10, -3, 0, 100, 1], diag([1, 2, 0.5, 0.1, 3]), 300, 21); // large means: the centered form must not cancel
    const whole = gaussianFitStat.add(gaussianFitStat.empty(d), x);
    const first = gaussianFitStat.add(gaussianFitStat.empty(d), x.subarray(0, 117 * d));
    const second = gaussianFitStat.add(gaussianFitStat.empty(d), x.subarray(117 * d));
    const merged = gaussianFitStat.merge(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(second)));
    const fw = gaussianFitStat.finalize(whole), fm = gaussianFitStat.finalize(merged);
    expect(fm.n).toBe(300);
    for (let i = 0; i < d; i++) expect(fm.mean[i]).toBeCloseTo(fw.mean[i], 11);
    for (let i = 0; i < d * d; i++) expect(fm.covariance[i]).toBeCloseTo(fw.covariance[i], 11);
    // Merging with an empty state is the identity.
    expect(gaussianFitStat.finalize(gaussianFitStat.merge(gaussianFitStat.empty(d), whole)).covariance).toEqual(fw.covariance);

    const y = gaussianSamples([9, -3, 1, 100, 0], diag([2, 2, 0.5, 0.2, 1]), 300, 22);
    const fAll = frechetStat.finalize(frechetStat.add(frechetStat.empty(d), { generated: x, reference: y }));
    const fa = frechetStat.add(frechetStat.empty(d), { generated: x.subarray(0, 100 * d), reference: y.subarray(0, 250 * d) });
    const fb = frechetStat.add(frechetStat.empty(d), { generated: x.subarray(100 * d), reference: y.subarray(250 * d) });
    const fMerged = frechetStat.finalize(frechetStat.merge(fa, fb));
    expect(fMerged.frechet).toBeCloseTo(fAll.frechet, 10);
    expect(fMerged.nGenerated).toBe(300);
  });

  it('sample fits converge to the population distance (GMM exact moments)', () => {
    const gmm = createGmm({ weights: [0.3, 0.7], means: [[1, 0, 0], [-1, 2, 0]], variances: [0.2, 0.5] });
    const { mean, covariance } = gmmMoments(gmm);
    const x = sampleGmmBatch(gmm, 3, 0, 20000);
    const fit = gaussianFitStat.finalize(gaussianFitStat.add(gaussianFitStat.empty(3), x));
    for (let i = 0; i < 3; i++) expect(fit.mean[i]).toBeCloseTo(mean[i], 1);
    for (let i = 0; i < 9; i++) expect(fit.covariance[i]).toBeCloseTo(covariance[i], 1);
    expect(frechetDistance(fit.mean, fit.covariance, mean, covariance, 3)).toBeLessThan(2e-3);
    // ... and a shifted distribution is far.
    const shifted = Float64Array.from(mean, (m, i) => m + (i === 0 ? 1 : 0));
    expect(frechetDistance(fit.mean, fit.covariance, shifted, covariance, 3)).toBeGreaterThan(0.9);
  });
});
