import { describe, expect, it } from 'vitest';
import { ZSpace } from '../config/space';
import { CounterRng } from '../rng';
import { createEncoding } from './encoding';
import { TpeSampler } from './tpe';

const space = ZSpace.parse([
  { type: 'float', name: 'a', low: 0, high: 1 },
  { type: 'float', name: 'b', low: 0, high: 1 },
  { type: 'categorical', name: 'c', choices: ['x', 'y', 'z'] },
]);
const enc = createEncoding(space);

describe('TPE', () => {
  it('ranks candidates near the good observations first and keeps categoricals valid', () => {
    const rng = new CounterRng(4, 0);
    const points: Float64Array[] = [];
    const values: number[] = [];
    // Objective: distance to (0.2, 0.8), category 'z' (index 2) is best.
    for (let i = 0; i < 60; i++) {
      const c = rng.int(3);
      const p = Float64Array.of(rng.uniform(), rng.uniform(), (c + 0.5) / 3);
      points.push(p);
      values.push(Math.hypot(p[0] - 0.2, p[1] - 0.8) + (c === 2 ? 0 : 0.5));
    }
    const ranked = new TpeSampler(enc, { candidates: 64 }).rank(points, values, [], 1, 0);
    expect(ranked).toHaveLength(64);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].score).toBeLessThanOrEqual(ranked[i - 1].score);
    const top = ranked.slice(0, 8);
    const dist = top.map((c) => Math.hypot(c.x[0] - 0.2, c.x[1] - 0.8));
    // The six good points themselves lie 0.1-0.3 from the optimum; uniform points average ~0.45.
    expect(dist.reduce((s, v) => s + v, 0) / dist.length).toBeLessThan(0.32);
    expect(Math.max(...dist)).toBeLessThan(0.45);
    for (const c of ranked) expect([0.5 / 3, 1.5 / 3, 2.5 / 3]).toContain(c.x[2]);
    expect(top.filter((c) => c.x[2] === 2.5 / 3).length).toBeGreaterThanOrEqual(6);
    // The top-ranked candidates beat the average candidate on the objective.
    const f = (x: Float64Array) => Math.hypot(x[0] - 0.2, x[1] - 0.8) + (x[2] === 2.5 / 3 ? 0 : 0.5);
    const meanTop = top.reduce((s, c) => s + f(c.x), 0) / top.length;
    const meanAll = ranked.reduce((s, c) => s + f(c.x), 0) / ranked.length;
    expect(meanTop).toBeLessThan(meanAll);
  });

  it('is deterministic in (seed, stream) and pushed away from liars', () => {
    const pts = [Float64Array.of(0.1, 0.1, 0.5), Float64Array.of(0.9, 0.9, 0.5), Float64Array.of(0.5, 0.5, 0.5 / 3)];
    const vals = [0, 1, 2];
    const s = new TpeSampler(enc, { candidates: 32 });
    const a = s.rank(pts, vals, [], 3, 7);
    expect(s.rank(pts, vals, [], 3, 7)).toEqual(a);
    expect(s.rank(pts, vals, [], 3, 8)).not.toEqual(a);
    const liar = Float64Array.of(0.1, 0.1, 0.5);
    const withLiar = s.rank(pts, vals, [liar, liar, liar], 3, 7);
    // Same candidates (same draws from l), but the score at the liar's location drops.
    const near = (r: typeof a) => r.filter((c) => Math.hypot(c.x[0] - 0.1, c.x[1] - 0.1) < 0.05).map((c) => c.score);
    const before = near(a), after = near(withLiar);
    expect(before.length).toBeGreaterThan(0);
    expect(Math.max(...after)).toBeLessThan(Math.max(...before));
  });
});
