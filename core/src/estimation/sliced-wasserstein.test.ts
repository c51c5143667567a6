import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { mergeMultivariateStats, multivariateStatsOf } from './multivariate-stats';
import {
  slicedWasserstein2,
  slicedWassersteinControlMeans,
  slicedWassersteinFromStats,
  slicedWassersteinSamples,
  wasserstein2Squared1D,
  type Points,
} from './sliced-wasserstein';

const D = 8;
const N = 400;

function gaussian(seed: number, mean: number[], sd: number[]): Points {
  const rng = new CounterRng(seed, 0);
  return Array.from({ length: N }, () => Float64Array.from({ length: D }, (_, k) => mean[k] + sd[k] * rng.normal()));
}

function meanAndVariance(xs: number[]): [number, number] {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return [m, xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)];
}

/** Repeats the estimate over independent direction streams; the sample sets stay fixed. */
function repeat(x: Points, y: Points, reps: number, projections: number) {
  const out = { mc: [] as number[], lowerCv: [] as number[], upperCv: [] as number[], bothCv: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const res = slicedWasserstein2(x, y, { projections, rng: new CounterRng(500, r) });
    out.mc.push(res.mc.mean);
    out.lowerCv.push(res.lowerCv!.mean);
    out.upperCv.push(res.upperCv!.mean);
    out.bothCv.push(res.bothCv!.mean);
  }
  return out;
}

describe('1-D Wasserstein-2 between empirical distributions', () => {
  it('equals the squared shift for translated samples and handles unequal sizes exactly', () => {
    const a = [3, -1, 2, 0.5];
    expect(wasserstein2Squared1D(a, a.map((v) => v + 1.5))).toBeCloseTo(2.25, 14);
    expect(wasserstein2Squared1D(a, [...a].reverse())).toBe(0);
    // Quantile functions of {0, 1} and {0, 0.5, 1, 2} differ by 0.5 on [1/4, 1/2) and 1 on [3/4, 1).
    expect(wasserstein2Squared1D([0, 1], [0, 0.5, 1, 2])).toBeCloseTo(0.3125, 14);
    expect(wasserstein2Squared1D([1, 2], [1, 1, 2, 2])).toBeCloseTo(0, 14);
    expect(a).toEqual([3, -1, 2, 0.5]); // inputs untouched
  });
});

describe('sliced Wasserstein-2 with control variates', () => {
  const sd = Array.from({ length: D }, (_, k) => 0.5 + 0.25 * k);
  const shift = Array.from({ length: D }, (_, k) => (k < 3 ? 1.5 : 0));

  it('equal covariances, shifted means: the known answer |dm|^2 / D, with far smaller variance than plain MC', () => {
    const x = gaussian(1, new Array(D).fill(0), sd);
    const y = gaussian(2, shift, sd);
    const truth = (3 * 1.5 ** 2) / D; // population SW_2^2 for equal covariances
    const est = repeat(x, y, 100, 50);
    const [mcMean, mcVar] = meanAndVariance(est.mc);
    const [lowMean, lowVar] = meanAndVariance(est.lowerCv);
    const [, upVar] = meanAndVariance(est.upperCv);
    const [bothMean, bothVar] = meanAndVariance(est.bothCv);
    console.info('SW equal covariances: variance ratio plain/CV', { lower: mcVar / lowVar, upper: mcVar / upVar, both: mcVar / bothVar, truth, cv: bothMean, mc: mcMean });
    expect(mcVar / lowVar).toBeGreaterThan(100);
    expect(mcVar / bothVar).toBeGreaterThan(100);
    // Unbiased over directions: the CV average agrees with the plain average within its noise.
    expect(Math.abs(lowMean - mcMean)).toBeLessThan(4 * Math.sqrt(mcVar / 100));
    // Against the population value: what is left is the finite-sample (N = 400) bias of the empirical measures.
    expect(Math.abs(bothMean - truth) / truth).toBeLessThan(0.1);
  });

  it('no mean shift, different covariances: the upper-bound control carries the reduction', () => {
    const x = gaussian(3, new Array(D).fill(0), sd);
    const y = gaussian(4, new Array(D).fill(0), sd.map((s, k) => s * (k % 2 ? 1.6 : 0.7)));
    const est = repeat(x, y, 100, 50);
    const [, mcVar] = meanAndVariance(est.mc);
    const [, upVar] = meanAndVariance(est.upperCv);
    const [, bothVar] = meanAndVariance(est.bothCv);
    console.info('SW no shift, different covariances: variance ratio plain/CV', { upper: mcVar / upVar, both: mcVar / bothVar });
    expect(mcVar / upVar).toBeGreaterThan(1.5);
    expect(mcVar / bothVar).toBeGreaterThan(1.5);
  });

  it('control means are the sphere averages of G_low and G_up', () => {
    const x = gaussian(5, new Array(D).fill(0), sd);
    const y = gaussian(6, shift, sd.map((s) => 2 * s));
    const [, low, up] = slicedWassersteinSamples(x, y, 5000, new CounterRng(8, 0));
    const means = slicedWassersteinControlMeans(x, y);
    const [lowMean, lowVar] = meanAndVariance(Array.from(low));
    const [upMean, upVar] = meanAndVariance(Array.from(up));
    expect(Math.abs(lowMean - means.lower)).toBeLessThan(4 * Math.sqrt(lowVar / 5000));
    expect(Math.abs(upMean - means.upper)).toBeLessThan(4 * Math.sqrt(upVar / 5000));
  });

  it('merges blocks of directions from different RNG streams', () => {
    const x = gaussian(1, new Array(D).fill(0), sd);
    const y = gaussian(2, shift, sd);
    const blocks = [0, 1].map((s) => multivariateStatsOf(slicedWassersteinSamples(x, y, 30, new CounterRng(9, s))));
    const merged = slicedWassersteinFromStats(mergeMultivariateStats(blocks[0], blocks[1]), slicedWassersteinControlMeans(x, y));
    expect(merged.mc.n).toBe(60);
    expect(merged.bothCv!.df).toBe(57);
    expect(Math.abs(merged.bothCv!.mean - merged.mc.mean)).toBeLessThan(4 * merged.mc.stderr);
    // Deterministic given the injected RNG.
    expect(slicedWasserstein2(x, y, { projections: 10, rng: new CounterRng(1, 1) })).toEqual(slicedWasserstein2(x, y, { projections: 10, rng: new CounterRng(1, 1) }));
  });

  it('returns null for a degenerate control instead of failing the whole estimate', () => {
    const x = gaussian(7, new Array(D).fill(0), sd);
    const centered = (ps: Points): Points => {
      const m = Array.from({ length: D }, (_, k) => ps.reduce((s, p) => s + p[k], 0) / ps.length);
      return ps.map((p) => Float64Array.from(p, (v, k) => v - m[k]));
    };
    const res = slicedWasserstein2(centered(x), centered(gaussian(8, new Array(D).fill(0), sd)), { projections: 20, rng: new CounterRng(2, 2) });
    expect(res.lowerCv).toBeNull(); // G_low is 0 up to rounding when the sample means coincide
    expect(res.bothCv).toBeNull();
    expect(res.upperCv).not.toBeNull();
  });
});
