import { describe, expect, it } from 'vitest';
import {
  logBeta,
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTPdf,
  studentTQuantile,
} from './distributions';

/** Relative error, falling back to absolute near zero. */
function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
}

// References: 40-digit mpmath (betainc / erfinv / ncdf); the first block matches printed t tables
// (e.g. t_{0.975,10} = 2.228, t_{0.995,10} = 3.169, t_{0.999,3} = 10.215).
const T_QUANTILES: [p: number, df: number, t: number][] = [
  [0.975, 1, 12.706204736174693],
  [0.975, 2, 4.3026527297494618],
  [0.975, 3, 3.1824463052837084],
  [0.975, 5, 2.5705818356363148],
  [0.975, 10, 2.2281388519862742],
  [0.975, 30, 2.0422724563012379],
  [0.975, 100, 1.9839715185235519],
  [0.95, 3, 2.3533634348018229],
  [0.995, 10, 3.1692726726169507],
  [0.999, 3, 10.214531852407383],
  [0.9995, 4, 8.6103015813795228],
  [0.9999, 7, 7.0634328281576388],
  [0.6, 12, 0.259032745676887],
  [0.025, 8, -2.3060041352041666],
  [0.999999, 1, 318309.88617359026],
  [0.999999, 2.5, 220.17342917570425],
  [0.975, 1e4, 1.9602012398906259],
  [0.9, 1.5, 2.1963984175655378],
];

describe('Student t', () => {
  it('quantiles match table values to 1e-12 relative for df >= 1', () => {
    for (const [p, df, t] of T_QUANTILES) expect(relErr(studentTQuantile(p, df), t), `p=${p} df=${df}`).toBeLessThan(1e-12);
  });

  it('matches the closed forms for df = 1, 2, 4 and the normal for df = Infinity', () => {
    for (const p of [1e-9, 0.001, 0.2, 0.7, 0.999]) {
      const cauchy = p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p)); // tan(pi (p - 1/2)) loses digits near 0, 1
      expect(relErr(studentTQuantile(p, 1), cauchy)).toBeLessThan(1e-12);
      expect(relErr(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-12);
      const a = 4 * p * (1 - p);
      const q = Math.cos(Math.acos(Math.sqrt(a)) / 3) / Math.sqrt(a);
      expect(relErr(studentTQuantile(p, 4), Math.sign(p - 0.5) * 2 * Math.sqrt(q - 1))).toBeLessThan(1e-9);
      expect(studentTQuantile(p, Infinity)).toBe(normalQuantile(p));
    }
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
  });

  it('CDF values match references and invert the quantile', () => {
    const cdf: [t: number, df: number, p: number][] = [
      [2.0, 3, 0.93033701572057841],
      [-1.5, 7, 0.088649243494985017],
      [0.3, 1, 0.59277357907774234],
      [5.0, 2, 0.98112522432468814],
      [10.0, 50, 0.99999999999991961],
      [-8.0, 4, 0.00066194845460858393],
      [1.0, 0.5, 0.69887838915867792],
    ];
    for (const [t, df, p] of cdf) expect(relErr(studentTCdf(t, df), p), `t=${t} df=${df}`).toBeLessThan(1e-12);
    for (const df of [1, 1.7, 3, 9, 40, 333, 5e4]) {
      for (const p of [1e-12, 1e-5, 0.01, 0.3, 0.5, 0.8, 0.975, 1 - 1e-7]) {
        const t = studentTQuantile(p, df);
        const back = p < 0.5 ? studentTCdf(t, df) : 1 - studentTCdf(t, df);
        expect(relErr(back, p < 0.5 ? p : 1 - p), `p=${p} df=${df}`).toBeLessThan(1e-8);
      }
    }
  });

  it('stays accurate for huge df, where it approaches the normal at the 1/df rate', () => {
    // First-order terms: t_p = z + (z^3 + z) / (4 df), F(t) = Phi(t) - phi(t) (t^3 + t) / (4 df).
    const z = normalQuantile(0.975);
    for (const df of [1e6, 1e9, 1e12]) {
      expect((studentTQuantile(0.975, df) - z) * df).toBeCloseTo((z ** 3 + z) / 4, 3);
      expect((studentTCdf(-2, df) - normalCdf(-2)) * df).toBeCloseTo(2.5 * Math.exp(-2) / Math.sqrt(2 * Math.PI), 3);
    }
    // No seam where the method switches (df = 1e5).
    for (const p of [1e-20, 0.001, 0.4]) expect(relErr(studentTQuantile(p, 99_999.999), studentTQuantile(p, 1e5))).toBeLessThan(1e-11);
  });

  it('density integrates to the CDF (Simpson rule)', () => {
    const df = 3.5, a = -2, b = 1.25, steps = 2000;
    const h = (b - a) / steps;
    let s = studentTPdf(a, df) + studentTPdf(b, df);
    for (let i = 1; i < steps; i++) s += (i % 2 ? 4 : 2) * studentTPdf(a + i * h, df);
    expect((s * h) / 3).toBeCloseTo(studentTCdf(b, df) - studentTCdf(a, df), 12);
  });
});

describe('normal', () => {
  it('quantile and CDF match 40-digit references', () => {
    const q: [number, number][] = [
      [1e-20, -9.2623400897984076], [1e-10, -6.3613409024040562], [0.001, -3.0902323061678135],
      [0.025, -1.9599639845400542], [0.3, -0.52440051270804082], [0.8, 0.84162123357291436],
      [0.975, 1.9599639845400539], [0.999999, 4.7534243088170878],
    ];
    for (const [p, x] of q) expect(relErr(normalQuantile(p), x), `p=${p}`).toBeLessThan(1e-13);
    const c: [number, number][] = [
      [-38, 2.8854283600687843e-316], [-10, 7.6198530241605261e-24], [-5, 2.8665157187919391e-7],
      [-1.96, 0.024997895148220436], [-0.5, 0.3085375387259869], [0, 0.5], [1, 0.84134474606854295], [3, 0.99865010196836991],
    ];
    for (const [x, p] of c) expect(relErr(normalCdf(x), p), `x=${x}`).toBeLessThan(1e-13);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(() => normalQuantile(1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('special functions', () => {
  it('regularized incomplete beta and log-gamma match references', () => {
    const ib: [x: number, a: number, b: number, v: number][] = [
      [0.3, 2, 5, 0.579825], [0.9, 0.5, 0.5, 0.79516723530086657], [0.2, 30, 40, 8.1435006545699112e-6],
      [0.999, 200, 0.5, 0.52724410702523517], [0.01, 0.5, 100, 0.84322413457555904], [0.7, 1000, 400, 0.11898147021920811],
    ];
    for (const [x, a, b, v] of ib) expect(relErr(regularizedIncompleteBeta(x, a, b), v), `x=${x} a=${a} b=${b}`).toBeLessThan(1e-11);
    const lg: [number, number][] = [[0.5, 0.57236494292470009], [3.7, 1.4280723266653881], [25, 54.784729398112319], [1000.5, 5908.6741758486775]];
    for (const [x, v] of lg) expect(relErr(logGamma(x), v)).toBeLessThan(1e-14);
    expect(logBeta(2, 3)).toBeCloseTo(Math.log(1 / 12), 14);
    expect(logBeta(1e6, 0.5)).toBeCloseTo(logGamma(1e6) + logGamma(0.5) - logGamma(1e6 + 0.5), 6);
  });
});
