import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { cholAppend, cholInverse, cholLogDet, cholSolveInPlace, choleskyInPlace, choleskyWithJitter } from './linalg';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = new CounterRng(seed, 0);
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n * 0.1 : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  return a;
}

function matVec(a: Float64Array, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += a[i * n + j] * x[j];
  return y;
}

describe('Cholesky routines', () => {
  it('factor, solve, inverse and log-determinant agree with the matrix', () => {
    const n = 23;
    const a = randomSpd(n, 1);
    const l = a.slice();
    expect(choleskyInPlace(l, n)).toBe(true);
    // L L^T reproduces A.
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += l[i * n + k] * l[j * n + k];
        expect(s).toBeCloseTo(a[i * n + j], 9);
      }
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = matVec(a, n, x);
    cholSolveInPlace(l, n, b);
    for (let i = 0; i < n; i++) expect(b[i]).toBeCloseTo(x[i], 9);
    const inv = new Float64Array(n * n);
    cholInverse(l, n, inv, new Float64Array(n * n));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += inv[i * n + k] * a[k * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    // log det via a 2x2 closed form check on a small block.
    const two = Float64Array.of(4, 2, 2, 3);
    choleskyInPlace(two, 2);
    expect(cholLogDet(two, 2)).toBeCloseTo(Math.log(8), 12);
  });

  it('escalates jitter on a singular matrix and reports it', () => {
    const n = 5;
    const a = new Float64Array(n * n).fill(1); // rank one
    const out = new Float64Array(n * n);
    const r = choleskyWithJitter(a, n, out);
    expect(r.ok).toBe(true);
    expect(r.jitter).toBeGreaterThan(0);
    expect(r.jitter).toBeLessThan(1e-5);
    expect(choleskyWithJitter(Float64Array.of(-1), 1, new Float64Array(1)).ok).toBe(false);
  });

  it('appends a row to a factor exactly as a fresh factorisation would', () => {
    const n = 12;
    const a = randomSpd(n + 1, 2);
    const sub = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sub[i * n + j] = a[i * (n + 1) + j];
    choleskyInPlace(sub, n);
    const k = Float64Array.from({ length: n }, (_, i) => a[n * (n + 1) + i]);
    const out = new Float64Array((n + 1) * (n + 1));
    expect(cholAppend(sub, n, k, a[n * (n + 1) + n], out)).toBe(true);
    const full = a.slice();
    choleskyInPlace(full, n + 1);
    for (let i = 0; i < full.length; i++) expect(out[i]).toBeCloseTo(full[i], 10);
  });
});
