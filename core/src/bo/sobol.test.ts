import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { SOBOL_MAX_DIM, SobolSequence, randomDesign, sobolDesign } from './sobol';

/** Every elementary box [a/2^p, (a+1)/2^p) x [b/2^q, (b+1)/2^q) with p + q = m holds one point. */
function isZeroNet(pts: Float64Array, dim: number, j1: number, j2: number, m: number): boolean {
  const count = 1 << m;
  for (let p = 0; p <= m; p++) {
    const q = m - p;
    const seen = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const a = Math.floor(pts[i * dim + j1] * (1 << p));
      const b = Math.floor(pts[i * dim + j2] * (1 << q));
      const cell = a * (1 << q) + b;
      if (seen[cell]) return false;
      seen[cell] = 1;
    }
  }
  return true;
}

describe('Sobol sequence', () => {
  it('starts with the textbook unscrambled points', () => {
    const s = new SobolSequence(3, { scramble: false });
    const want = [[0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75], [0.375, 0.375, 0.625], [0.875, 0.875, 0.125]];
    want.forEach((row, i) => {
      const p = s.point(i);
      row.forEach((v, j) => expect(p[j]).toBeCloseTo(v, 9));
    });
  });

  it('stratifies every one-dimensional projection of the first 2^m points, up to 32 dimensions', () => {
    for (const scramble of [false, true]) {
      const dim = SOBOL_MAX_DIM;
      const m = 8;
      const pts = new SobolSequence(dim, { scramble, seed: 11 }).points(0, 1 << m);
      for (let j = 0; j < dim; j++) {
        const seen = new Uint8Array(1 << m);
        for (let i = 0; i < 1 << m; i++) seen[Math.floor(pts[i * dim + j] * (1 << m))]++;
        expect(seen.every((c) => c === 1)).toBe(true);
      }
    }
  });

  it('keeps the (0, m, 2)-net property of the first two coordinates when scrambled', () => {
    const pts = new SobolSequence(4, { seed: 3 }).points(0, 256);
    expect(isZeroNet(pts, 4, 0, 1, 8)).toBe(true);
    // Sanity check of the checker: a random design is not a net.
    const rnd = randomDesign(4, 256, new CounterRng(1, 0));
    expect(isZeroNet(rnd, 4, 0, 1, 8)).toBe(false);
  });

  it('has low discrepancy: a smooth integral converges faster than with random points', () => {
    const f = (p: Float64Array, o: number, d: number) => {
      let s = 1;
      for (let k = 0; k < d; k++) s *= 1 + 0.5 * (p[o + k] - 0.5);
      return s; // integral 1
    };
    const d = 6, n = 1024;
    const sob = sobolDesign(d, n, 5);
    const rnd = randomDesign(d, n, new CounterRng(5, 0));
    let es = 0, er = 0;
    for (let i = 0; i < n; i++) { es += f(sob, i * d, d) / n; er += f(rnd, i * d, d) / n; }
    expect(Math.abs(es - 1)).toBeLessThan(Math.abs(er - 1));
    expect(Math.abs(es - 1)).toBeLessThan(2e-3);
  });

  it('is a pure function of (seed, index), with different seeds giving different points', () => {
    const a = new SobolSequence(5, { seed: 7 });
    const b = new SobolSequence(5, { seed: 7 });
    expect(Array.from(a.point(123))).toEqual(Array.from(b.point(123)));
    expect(Array.from(a.points(120, 4).subarray(15, 20))).toEqual(Array.from(b.point(123)));
    expect(Array.from(new SobolSequence(5, { seed: 8 }).point(123))).not.toEqual(Array.from(a.point(123)));
    const wide = new SobolSequence(40, { seed: 1 }).point(9);
    expect(wide.every((v) => v > 0 && v < 1)).toBe(true);
  });
});
