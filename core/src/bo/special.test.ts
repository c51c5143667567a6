import { describe, expect, it } from 'vitest';
import { erf, erfc, erfcx, logH, log1mexp, normCdf, normLogCdf, normPdf, normQuantile } from './special';

// Reference values from mpmath at 50 digits.
const ERFC: Array<[number, number]> = [
  [0.1, 0.8875370839817151], [0.5, 0.47950012218695346], [1, 0.15729920705028513], [1.9, 0.0072095707647425328],
  [2, 0.0046777349810472658], [2.5, 0.00040695201744495894], [3, 2.2090496998585441e-5], [5, 1.5374597944280349e-12],
  [10, 2.0884875837625448e-45], [20, 5.3958656116079009e-176],
];
const ERFCX: Array<[number, number]> = [
  [-1.5, 18.653886256262734], [0.3, 0.73459933456765515], [2, 0.25539567631050574], [3, 0.17900115118138995],
  [10, 0.056140992743822586], [100, 0.0056416137829894329], [1e5, 5.6418958351954681e-6],
];
const LOGH: Array<[number, number, number]> = [
  [3, 1.0987396653277078, 0.33284096845179524], [0, -0.91893853320467274, 1.2533141373155003],
  [-0.5, -1.6205162643873199, 1.5598731483480797], [-1, -2.4851210257126413, 1.9042712333296918],
  [-2, -4.7687835239171142, 2.679416883955586], [-5, -16.74430116266099, 5.3618162412880885],
  [-10, -55.553122036122356, 10.194383033412553], [-20, -206.9178385094251, 20.099262811101282],
  [-24.9, -317.35848574266734, 24.979936959471138], [-25.1, -322.37440987246407, 25.179305997377542],
  [-30, -457.724653760598, 30.066446154162419], [-40, -808.29856835661996, 40.049906657648518],
  [-1000, -500014.73445209116, 1000.001999994],
];

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('error functions', () => {
  it('erfc has full relative precision into the tail', () => {
    for (const [x, want] of ERFC) expect(rel(erfc(x), want)).toBeLessThan(1e-13);
    for (const [x, want] of ERFC) expect(Math.abs(erfc(-x) - (2 - want))).toBeLessThan(1e-15);
    expect(erf(0.5) + erfc(0.5)).toBeCloseTo(1, 15);
  });

  it('erfcx stays accurate where erfc underflows', () => {
    for (const [x, want] of ERFCX) expect(rel(erfcx(x), want)).toBeLessThan(1e-13);
  });

  it('normal cdf, log cdf and quantile agree', () => {
    expect(rel(normLogCdf(-40), -804.60844201375379)).toBeLessThan(1e-14);
    expect(rel(normLogCdf(-10), -53.231285150512471)).toBeLessThan(1e-14);
    expect(rel(normLogCdf(3), -0.0013508099647481938)).toBeLessThan(1e-12);
    expect(normCdf(0)).toBe(0.5);
    for (const p of [1e-12, 0.001, 0.2, 0.5, 0.9, 0.999999]) expect(rel(normCdf(normQuantile(p)), p)).toBeLessThan(1e-10);
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 15);
    expect(log1mexp(-1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(log1mexp(-50)).toBe(Math.log1p(-Math.exp(-50)));
  });
});

describe('logH (log of the standard expected-improvement function)', () => {
  it('matches high-precision values and their slopes, including across the series switch', () => {
    for (const [z, want, slope] of LOGH) {
      const r = logH(z);
      expect(rel(r.value, want)).toBeLessThan(1e-12);
      expect(rel(r.slope, slope)).toBeLessThan(1e-9);
    }
  });

  it('is finite and strictly increasing from z = -1e6 up to z = 10', () => {
    let prev = -Infinity;
    for (let k = 0; k <= 4000; k++) {
      const z = -Math.exp(Math.log(1e6) * (1 - k / 4000)) + (k === 4000 ? 11 : 0);
      const v = logH(z).value;
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(prev);
      prev = v;
    }
  });
});
