import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { matMul, psdSqrt, symmetricEigen } from './symmetric-eigen';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new CounterRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

describe('symmetric eigendecomposition (Householder + implicit QL)', () => {
  it('A V = V diag(lambda) with orthonormal V, ascending values', () => {
    const n = 40;
    const a = randomSymmetric(n, 1);
    const { values, vectors } = symmetricEigen(a, n);
    const V = vectors!;
    for (let j = 1; j < n; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
    const AV = matMul(a, V, n);
    let resid = 0, orth = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        resid = Math.max(resid, Math.abs(AV[i * n + j] - V[i * n + j] * values[j]));
        let dot = 0;
        for (let k = 0; k < n; k++) dot += V[k * n + i] * V[k * n + j];
        orth = Math.max(orth, Math.abs(dot - (i === j ? 1 : 0)));
      }
    }
    expect(resid).toBeLessThan(1e-12);
    expect(orth).toBeLessThan(1e-12);
    // Trace and Frobenius norm are preserved.
    let tr = 0, fro = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i];
    for (const v of a) fro += v * v;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(tr, 10);
    expect(values.reduce((s, v) => s + v * v, 0)).toBeCloseTo(fro, 9);
  });

  it('values-only path gives the same spectrum', () => {
    const n = 25;
    const a = randomSymmetric(n, 2);
    const full = symmetricEigen(a, n, true).values, only = symmetricEigen(a, n, false).values;
    for (let j = 0; j < n; j++) expect(only[j]).toBeCloseTo(full[j], 11);
  });

  it('handles repeated eigenvalues, diagonal and tiny matrices', () => {
    expect(Array.from(symmetricEigen(new Float64Array([2, 0, 0, 0, 2, 0, 0, 0, 2]), 3).values)).toEqual([2, 2, 2]);
    expect(Array.from(symmetricEigen([3, 0, 0, -1], 2).values)).toEqual([-1, 3]);
    expect(Array.from(symmetricEigen([5], 1).values)).toEqual([5]);
    const [l0, l1] = symmetricEigen([2, 1, 1, 2], 2).values;
    expect(l0).toBeCloseTo(1, 14);
    expect(l1).toBeCloseTo(3, 14);
  });

  it('psdSqrt squares back to the matrix', () => {
    const n = 12;
    const b = randomSymmetric(n, 3);
    const spd = matMul(b, b, n); // B B^T with B symmetric
    const r = psdSqrt(spd, n);
    const rr = matMul(r, r, n);
    for (let i = 0; i < n * n; i++) expect(rr[i]).toBeCloseTo(spd[i], 9);
  });
});
