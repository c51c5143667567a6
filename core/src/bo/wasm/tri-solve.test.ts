import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boLinalgSource, BO_LINALG_GENERATED_PATH, compileBoLinalg } from '../../../scripts/build-bo-wasm';
import { CounterRng } from '../../rng';
import { choleskyInPlace, cholInverse, solveLowerInPlace, solveLowerTransposeInPlace } from '../linalg';
import { TEST_FUNCTIONS } from '../../functions/test-functions';
import type { TSpace } from '../../config/space';
import { proposeBatch, type BoObservation } from '../propose';
import { setWasmLinalg, wasmFactorizer, wasmTriangular } from './tri-solve';

/** A random SPD matrix's Cholesky factor (Matérn-like decay plus a small ridge). */
function factor(n: number, seed: number): Float64Array {
  const rng = new CounterRng(seed, 1);
  const x = Float64Array.from({ length: n }, () => rng.uniform());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-Math.abs(x[i] - x[j]) / 0.3) + (i === j ? 1e-4 : 0);
  if (!choleskyInPlace(a, n)) throw new Error('not SPD');
  return a;
}

const identical = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('WebAssembly triangular solves', () => {
  const tri = wasmTriangular();

  it('the committed binary is the one linalg-wat.ts compiles to', async () => {
    expect(readFileSync(BO_LINALG_GENERATED_PATH, 'utf8')).toBe(boLinalgSource(await compileBoLinalg()));
  });

  it('is available on Node 20 (else the GP silently takes the slower JavaScript loops)', () => {
    expect(tri).not.toBeNull();
  });

  it('solves L x = b and L^T x = b bit-identically to linalg.ts, for odd and even n', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 9, 64, 199]) {
      const l = factor(n, n);
      expect(tri!.bind(l, n)).toBe(true);
      const rng = new CounterRng(n, 2);
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const js = b.slice(), wa = b.slice();
      solveLowerInPlace(l, n, js);
      tri!.lower(wa);
      expect(identical(wa, js), `lower, n = ${n}`).toBe(true);
      const jsT = b.slice(), waT = b.slice();
      solveLowerTransposeInPlace(l, n, jsT);
      tri!.upper(waT);
      expect(identical(waT, jsT), `upper, n = ${n}`).toBe(true);
      // And they solve: L (L^{-1} b) = b.
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += l[i * n + k] * wa[k];
        expect(s).toBeCloseTo(b[i], 8);
      }
    }
  });

  it('solves four right-hand sides at once like the sequential forward substitution, with their squared norms', () => {
    const n = 37;
    const l = factor(n, 5);
    tri!.bind(l, n);
    const rng = new CounterRng(9, 3);
    const V = Float64Array.from({ length: 4 * n }, () => rng.normal());
    const ref = V.slice();
    const refSums = [0, 0, 0, 0];
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < n; i++) {
        let a = ref[i * 4 + b];
        for (let k = 0; k < i; k++) a -= l[i * n + k] * ref[k * 4 + b];
        a *= 1 / l[i * n + i];
        ref[i * 4 + b] = a;
        refSums[b] += a * a;
      }
    }
    const sums = new Float64Array(4);
    tri!.trsm4(V, sums);
    expect(identical(V, ref)).toBe(true);
    expect(Array.from(sums)).toEqual(refSums);
  });

  it('factorizes bit-identically to choleskyInPlace, and refuses a matrix that is not positive definite', () => {
    const f = wasmFactorizer()!;
    for (const n of [1, 2, 3, 5, 8, 33, 200]) {
      const rng = new CounterRng(n, 4);
      const x = Float64Array.from({ length: n }, () => rng.uniform());
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = Math.exp(-((x[i] - x[j]) ** 2) / 0.02) + (i === j ? 1e-6 : 0);
      const js = a.slice(), wa = a.slice();
      expect(choleskyInPlace(js, n)).toBe(true);
      expect(f.cholesky(wa, n)).toBe(true);
      expect(identical(wa, js), `n = ${n}`).toBe(true);
    }
    const bad = Float64Array.from([1, 2, 2, 1]); // eigenvalues 3 and -1
    expect(f.cholesky(bad.slice(), 2)).toBe(false);
    expect(f.cholesky(Float64Array.from([NaN]), 1)).toBe(false);
  });

  it('inverts L L^T bit-identically to cholInverse (odd and even n), and the product is the identity', () => {
    const f = wasmFactorizer()!;
    for (const n of [1, 2, 3, 4, 5, 16, 17, 60, 199]) {
      const l = factor(n, 100 + n);
      // The reference: cholInverse's own JavaScript loops (it dispatches to the module from n = 16).
      const js = new Float64Array(n * n), wa = new Float64Array(n * n);
      setWasmLinalg(false);
      try {
        cholInverse(l, n, js, new Float64Array(n * n));
      } finally {
        setWasmLinalg(true);
      }
      expect(f.inverse(l, n, wa)).toBe(true);
      expect(identical(wa, js), `n = ${n}`).toBe(true);
      const viaApi = new Float64Array(n * n);
      cholInverse(l, n, viaApi, new Float64Array(n * n));
      expect(identical(viaApi, js), `cholInverse, n = ${n}`).toBe(true);
      // (L L^T) X = I.
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 7))) {
        for (let j = 0; j < n; j += Math.max(1, Math.floor(n / 5))) {
          let s = 0;
          for (let k = 0; k < n; k++) {
            let a = 0;
            for (let t = 0; t <= Math.min(i, k); t++) a += l[i * n + t] * l[k * n + t];
            s += a * wa[k * n + j];
          }
          expect(s).toBeCloseTo(i === j ? 1 : 0, 5);
        }
      }
    }
  });

  it('leaves GP proposals exactly as the JavaScript loops make them (fit, sweep and gradient search)', () => {
    const fn = TEST_FUNCTIONS.hartmann6;
    const space: TSpace = fn.bounds(6).map(([low, high], i) => ({ type: 'float' as const, name: `x${i}`, low, high, log: false, gridPoints: 5 }));
    const rng = new CounterRng(3, 5);
    const observations: BoObservation[] = Array.from({ length: 41 }, () => {
      const params = Object.fromEntries(space.map((p) => [p.name, rng.uniform()]));
      return { params, value: fn.evaluate(space.map((p) => params[p.name] as number)) };
    });
    const input = { space, observations, pending: [], count: 2, direction: 'minimize' as const, seed: 11, method: 'gp-logei' as const, initialDesign: 10, state: null };
    const withWasm = proposeBatch(input);
    setWasmLinalg(false);
    try {
      const withJs = proposeBatch(input);
      expect(withWasm.proposals.map((p) => p.params)).toEqual(withJs.proposals.map((p) => p.params));
      expect(withWasm.state).toEqual(withJs.state);
    } finally {
      setWasmLinalg(true);
    }
  });

  it('rebinds when another factor is used, and keeps the bound one until then', () => {
    const a = factor(10, 1), b = factor(12, 2);
    const x = Float64Array.from({ length: 12 }, (_, i) => i + 1);
    tri!.bind(a, 10);
    const ra = x.slice(0, 10);
    tri!.lower(ra);
    tri!.bind(b, 12);
    const rb = x.slice();
    tri!.lower(rb);
    const ja = x.slice(0, 10), jb = x.slice();
    solveLowerInPlace(a, 10, ja);
    solveLowerInPlace(b, 12, jb);
    expect(identical(ra, ja)).toBe(true);
    expect(identical(rb, jb)).toBe(true);
  });
});
