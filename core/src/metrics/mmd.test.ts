import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { medianBandwidth, mmd2Unbiased, mmdStat } from './mmd';

function normals(n: number, d: number, seed: number, shift = 0): Float64Array {
  const rng = new CounterRng(seed), out = new Float64Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() + (i % d === 0 ? shift : 0);
  return out;
}

describe('unbiased MMD^2 (RBF, median bandwidth)', () => {
  const d = 3, n = 150;

  it('is ~0 for the same distribution and clearly positive for a shifted one', () => {
    const same = mmdStat.empty(d), shifted = mmdStat.empty(d);
    for (let b = 0; b < 4; b++) {
      mmdStat.add(same, { generated: normals(n, d, 100 + b), reference: normals(n, d, 200 + b) });
      mmdStat.add(shifted, { generated: normals(n, d, 100 + b, 1), reference: normals(n, d, 200 + b) });
    }
    const s = mmdStat.finalize(same), t = mmdStat.finalize(shifted);
    expect(Math.abs(s.mmd2)).toBeLessThan(Math.max(0.01, 4 * s.stderr));
    expect(t.mmd2).toBeGreaterThan(0.05);
    expect(t.mmd2).toBeGreaterThan(10 * t.stderr);
    expect(s.blocks).toBe(4);
  });

  it('the U-statistic is unbiased: it can go negative, unlike the biased V-statistic', () => {
    let negatives = 0;
    for (let b = 0; b < 10; b++) if (mmd2Unbiased(normals(30, d, 300 + b), normals(30, d, 400 + b), d, 1.5) < 0) negatives++;
    expect(negatives).toBeGreaterThan(0);
  });

  it('median heuristic matches a brute-force median of pairwise distances', () => {
    const x = normals(5, 2, 7), y = normals(4, 2, 8);
    const rows = [...Array(5).keys()].map((i) => [x[2 * i], x[2 * i + 1]]).concat([...Array(4).keys()].map((i) => [y[2 * i], y[2 * i + 1]]));
    const dists: number[] = [];
    for (let i = 0; i < rows.length; i++) for (let j = i + 1; j < rows.length; j++) dists.push(Math.hypot(rows[i][0] - rows[j][0], rows[i][1] - rows[j][1]));
    dists.sort((a, b) => a - b);
    const med = (dists[17] + dists[18]) / 2; // 36 pairs
    expect(medianBandwidth(x, y, 2)).toBeCloseTo(med, 12);
  });

  it('merges exactly, survives JSON, and refuses mixed bandwidths', () => {
    const blocks = [0, 1, 2].map((b) => ({ generated: normals(40, d, 500 + b, 0.5), reference: normals(40, d, 600 + b) }));
    const seq = mmdStat.empty(d, 1.2);
    for (const b of blocks) mmdStat.add(seq, b);
    const a = mmdStat.add(mmdStat.empty(d, 1.2), blocks[0]);
    const c = mmdStat.add(mmdStat.add(mmdStat.empty(d, 1.2), blocks[1]), blocks[2]);
    const merged = mmdStat.merge(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(c)));
    expect(mmdStat.finalize(merged).mmd2).toBeCloseTo(mmdStat.finalize(seq).mmd2, 14);
    expect(merged.nGenerated).toBe(120);
    const other = mmdStat.add(mmdStat.empty(d, 2), blocks[0]);
    expect(() => mmdStat.merge(a, other)).toThrow(/bandwidths/);
    // A fresh state takes the first block's median bandwidth and keeps it.
    const auto = mmdStat.add(mmdStat.empty(d), blocks[0]);
    expect(auto.bandwidth).toBeCloseTo(medianBandwidth(blocks[0].generated, blocks[0].reference, d), 14);
  });
});
