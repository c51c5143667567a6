import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { SHIFTED_OPTIMUM_AT, TEST_FUNCTIONS, TEST_FUNCTION_NAMES, resolveDim } from './test-functions';

describe('test functions', () => {
  for (const name of TEST_FUNCTION_NAMES) {
    const fn = TEST_FUNCTIONS[name];
    const dims = fn.fixedDim !== null ? [fn.fixedDim] : [fn.minDim, 3, 6].filter((d) => d >= fn.minDim);
    for (const dim of dims) {
      it(`${name} (d=${dim}) attains its known optimum at its argmin and nowhere lower on random points`, () => {
        const x = fn.argmin(dim);
        expect(x).toHaveLength(dim);
        // Published minimisers are rounded to ~6 digits: the value agrees to that precision.
        expect(fn.evaluate(x)).toBeCloseTo(fn.optimum(dim), 4);
        const rng = new CounterRng(42, dim);
        const bounds = fn.bounds(dim);
        for (let i = 0; i < 2000; i++) {
          const p = bounds.map(([lo, hi]) => lo + rng.uniform() * (hi - lo));
          expect(fn.evaluate(p)).toBeGreaterThanOrEqual(fn.optimum(dim) - 1e-9);
        }
      });
    }
  }

  it('Branin has three global minimisers with the same value', () => {
    const b = TEST_FUNCTIONS.branin;
    for (const x of [[-Math.PI, 12.275], [Math.PI, 2.275], [9.42478, 2.475]]) {
      expect(b.evaluate(x)).toBeCloseTo(0.397887, 5);
    }
  });

  it('Hartmann-3 uses the standard constants: -3.86278 at the published minimiser', () => {
    const h = TEST_FUNCTIONS.hartmann3;
    expect(h.evaluate([0.114614, 0.555649, 0.852547])).toBeCloseTo(-3.86278, 5);
    // The exact minimum of those constants (a P entry of 0.03815 instead of 0.0381 moves it to -3.8627821).
    expect(h.evaluate(h.argmin(3))).toBeCloseTo(-3.8627797873, 9);
    expect(h.optimum(3)).toBe(h.evaluate(h.argmin(3)));
  });

  it('Styblinski-Tang scales its optimum with the dimension', () => {
    const st = TEST_FUNCTIONS.styblinski_tang;
    expect(st.optimum(4)).toBeCloseTo(-39.166166 * 4, 4);
    expect(st.evaluate(st.argmin(4))).toBeCloseTo(st.optimum(4), 8);
  });

  it('shifted variants keep the box and the optimum value but move the minimiser off-centre', () => {
    for (const [name, base] of [['ackley_shifted', 'ackley'], ['levy_shifted', 'levy'], ['styblinski_tang_shifted', 'styblinski_tang']] as const) {
      const fn = TEST_FUNCTIONS[name], b = TEST_FUNCTIONS[base];
      for (const dim of [2, 5, 7]) {
        expect(fn.bounds(dim)).toEqual(b.bounds(dim));
        expect(fn.optimum(dim)).toBe(b.optimum(dim));
        const u = fn.argmin(dim).map((x, k) => (x - fn.bounds(dim)[k][0]) / (fn.bounds(dim)[k][1] - fn.bounds(dim)[k][0]));
        expect(u).toEqual(Array.from({ length: dim }, (_, k) => expect.closeTo(SHIFTED_OPTIMUM_AT[k % SHIFTED_OPTIMUM_AT.length], 12)));
        for (const uk of u) expect(Math.abs(uk - 0.5)).toBeGreaterThanOrEqual(0.15);
        expect(fn.evaluate(fn.argmin(dim))).toBeCloseTo(fn.optimum(dim), 9);
        // The base minimiser is no longer a minimiser.
        expect(fn.evaluate(b.argmin(dim))).toBeGreaterThan(fn.optimum(dim) + 1);
      }
    }
  });

  it('resolves the dimension: fixed functions ignore the request', () => {
    expect(resolveDim(TEST_FUNCTIONS.hartmann6, 3)).toBe(6);
    expect(resolveDim(TEST_FUNCTIONS.ackley, 7)).toBe(7);
    expect(resolveDim(TEST_FUNCTIONS.ackley)).toBe(5);
  });
});
