import { describe, expect, it } from 'vitest';
import { warpOutputs, yeoJohnson, yeoJohnsonLambda } from './warp';

describe('Yeo-Johnson output warp', () => {
  it('is the identity at lambda 1 and monotone increasing for every lambda', () => {
    for (const v of [-3, -0.5, 0, 0.7, 4]) expect(yeoJohnson(v, 1)).toBeCloseTo(v, 12);
    for (const lambda of [-2, 0, 0.5, 2, 4]) {
      let prev = -Infinity;
      for (let v = -5; v <= 5; v += 0.25) {
        const t = yeoJohnson(v, lambda);
        expect(t).toBeGreaterThan(prev);
        prev = t;
      }
    }
  });

  it('leaves roughly Gaussian values nearly alone and pulls in a long lower tail', () => {
    const gauss = Float64Array.from({ length: 99 }, (_, i) => Math.sqrt(2) * inverseErf((i + 1) / 50 - 1));
    expect(Math.abs(yeoJohnsonLambda(gauss) - 1)).toBeLessThanOrEqual(0.2);
    // Many values near 0 and a few far below (a minimisation objective with deep, narrow basins).
    const skewed = Float64Array.from({ length: 60 }, (_, i) => (i < 5 ? -6 - i : 0.1 * (i % 7)));
    const mean = skewed.reduce((a, b) => a + b) / 60;
    const sd = Math.sqrt(skewed.reduce((a, b) => a + (b - mean) ** 2, 0) / 59);
    const z = skewed.map((v) => (v - mean) / sd);
    expect(yeoJohnsonLambda(z)).toBeGreaterThan(1);
    const w = warpOutputs(z);
    // Order kept, result standardized, and the best value no longer 3+ sd out.
    const order = (a: Float64Array) => Array.from(a.keys()).sort((i, j) => a[i] - a[j] || i - j);
    expect(order(w)).toEqual(order(z));
    expect(w.reduce((a, b) => a + b) / 60).toBeCloseTo(0, 10);
    expect(Math.min(...w)).toBeGreaterThan(Math.min(...z));
  });

  it('maps constant values to zeros and is deterministic', () => {
    expect(Array.from(warpOutputs(new Float64Array(5)))).toEqual([0, 0, 0, 0, 0]);
    const y = Float64Array.of(-2, 0.3, 0.1, 0.5, 1.1);
    expect(Array.from(warpOutputs(y))).toEqual(Array.from(warpOutputs(y)));
  });
});

/** Inverse error function (Giles' approximation), enough for a test sample. */
function inverseErf(x: number): number {
  const w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    const t = w - 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * t;
  } else {
    const t = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * t;
  }
  return p * x;
}
