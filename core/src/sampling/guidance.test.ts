import { describe, expect, it } from 'vitest';
import { classifierFreeGuidance, combineGuidance } from './guidance';

describe('classifier-free guidance', () => {
  it('combines [uncond; cond] rows as eps_u + w (eps_c - eps_u)', () => {
    // B = 2, dim = 2: uncond rows then cond rows
    const out2 = Float64Array.from([1, 2, 3, 4, /* cond */ 2, 0, 3, 8]);
    expect(Array.from(combineGuidance(out2, 2, 2, 3))).toEqual([1 + 3 * 1, 2 + 3 * -2, 3, 4 + 3 * 4]);
    expect(Array.from(combineGuidance(out2, 2, 2, 0))).toEqual([1, 2, 3, 4]);
    expect(Array.from(combineGuidance(out2, 2, 2, 1))).toEqual([2, 0, 3, 8]);
  });

  it('makes exactly one model call on a doubled batch with the same x in both halves', async () => {
    const calls: { batch: number; x: number[] }[] = [];
    // a "conditional" model: uncond half predicts x, cond half predicts 2x + 1
    const model2 = (x: Float32Array, _t: number, batch: number) => {
      calls.push({ batch, x: Array.from(x) });
      const half = x.length / 2;
      return Float32Array.from(x, (v, i) => (i < half ? v : 2 * v + 1));
    };
    const guided = classifierFreeGuidance(model2, 2.5, 3);
    const x = Float32Array.from([0.5, -1, 2, 1, 0, -0.25]);
    const eps = await guided(x, 0.4, 2);
    expect(calls).toHaveLength(1);
    expect(calls[0].batch).toBe(4);
    expect(calls[0].x).toEqual([...Array.from(x), ...Array.from(x)]);
    Array.from(x).forEach((v, i) => expect(eps[i]).toBeCloseTo(v + 2.5 * (v + 1), 6));
    // With an output buffer the combination lands there, in its precision.
    const into = new Float32Array(6);
    expect(await guided(x, 0.4, 2, into)).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(Float32Array.from(eps)));
  });

  it('rejects outputs of the wrong size', () => {
    expect(() => combineGuidance(new Float64Array(5), 2, 2, 1)).toThrow(/expected 2\*batch\*dim = 8/);
  });
});
