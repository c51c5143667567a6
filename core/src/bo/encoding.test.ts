import { describe, expect, it } from 'vitest';
import { ZSpace } from '../config/space';
import { CounterRng } from '../rng';
import { createEncoding, decodePoint, discreteSize, encodeParams, paramsKey, snapPoint } from './encoding';

const space = ZSpace.parse([
  { type: 'float', name: 'lr', low: 1e-5, high: 1e-1, log: true },
  { type: 'float', name: 'mom', low: 0, high: 0.99 },
  { type: 'int', name: 'layers', low: 1, high: 4 },
  { type: 'int', name: 'width', low: 16, high: 1024, log: true },
  { type: 'categorical', name: 'act', choices: ['relu', 'gelu', 'tanh'] },
  { type: 'categorical', name: 'bn', choices: [true, false] },
]);
const enc = createEncoding(space);

describe('space encoding', () => {
  it('round-trips valid parameters', () => {
    const params = { lr: 3e-4, mom: 0.9, layers: 3, width: 100, act: 'tanh', bn: false };
    const u = encodeParams(enc, params);
    expect(u.every((v) => v >= 0 && v <= 1)).toBe(true);
    const back = decodePoint(enc, u);
    expect(back.lr).toBeCloseTo(3e-4, 15);
    expect(back.mom).toBeCloseTo(0.9, 15);
    expect(back).toMatchObject({ layers: 3, width: 100, act: 'tanh', bn: false });
    expect(u[4]).toBeCloseTo(2.5 / 3, 15);
  });

  it('gives each integer an interval of equal width (half-step padding)', () => {
    const counts = new Map<number, number>();
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const u = new Float64Array(enc.dim).fill(0.5);
      u[2] = (i + 0.5) / n;
      const v = decodePoint(enc, u).layers as number;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const c of counts.values()) expect(c).toBe(n / 4);
  });

  it('always decodes to valid parameters, even from junk vectors', () => {
    const rng = new CounterRng(1, 0);
    for (let t = 0; t < 500; t++) {
      const u = Float64Array.from({ length: enc.dim }, () => (rng.uniform() - 0.25) * 2);
      if (t === 0) u.fill(NaN);
      if (t === 1) u.fill(1);
      if (t === 2) u.fill(0);
      const p = decodePoint(enc, u);
      expect(p.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(p.lr as number).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p.layers)).toBe(true);
      expect(p.layers as number).toBeGreaterThanOrEqual(1);
      expect(p.layers as number).toBeLessThanOrEqual(4);
      expect(Number.isInteger(p.width)).toBe(true);
      expect(p.width as number).toBeGreaterThanOrEqual(16);
      expect(p.width as number).toBeLessThanOrEqual(1024);
      expect(['relu', 'gelu', 'tanh']).toContain(p.act);
      expect([true, false]).toContain(p.bn);
      // Snapping is idempotent and preserves the decoded parameters.
      const s = u.slice();
      snapPoint(enc, s);
      expect(decodePoint(enc, s)).toEqual(p);
      // Discrete coordinates snap exactly onto the encoding of the decoded value.
      const reEncoded = encodeParams(enc, p);
      for (let k = 2; k < enc.dim; k++) expect(s[k]).toBe(reEncoded[k]);
    }
  });

  it('rejects missing parameters and unknown choices by name', () => {
    expect(() => encodeParams(enc, { lr: 1e-3, mom: 0, layers: 1, width: 16, act: 'selu', bn: true })).toThrow(/act/);
    expect(() => encodeParams(enc, { lr: 1e-3 })).toThrow(/mom/);
  });

  it('keys identify points and count discrete spaces', () => {
    const a = { lr: 1e-3, mom: 0.5, layers: 2, width: 64, act: 'relu', bn: true };
    expect(paramsKey(enc, a)).toBe(paramsKey(enc, { ...a, mom: 0.5 + 1e-15 }));
    expect(paramsKey(enc, a)).not.toBe(paramsKey(enc, { ...a, layers: 3 }));
    expect(discreteSize(enc)).toBe(Infinity);
    expect(discreteSize(createEncoding(ZSpace.parse([{ type: 'int', name: 'a', low: 0, high: 4 }, { type: 'categorical', name: 'b', choices: [1, 2] }])))).toBe(10);
  });
});
