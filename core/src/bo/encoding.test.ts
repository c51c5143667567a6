import { describe, expect, it } from 'vitest';
import { ZSpace } from '../config/space';
import { CounterRng } from '../rng';
import { INACTIVE_VALUE, activeMask, createEncoding, decodePoint, discreteSize, encodeParams, paramsKey, snapPoint } from './encoding';

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

  describe('conditional parameters', () => {
    const cond = createEncoding(ZSpace.parse([
      { type: 'categorical', name: 'optimizer', choices: ['sgd', 'adam'] },
      { type: 'float', name: 'momentum', low: 0, high: 0.9, when: { param: 'optimizer', in: ['sgd'] } },
      { type: 'int', name: 'k', low: 1, high: 3, when: { param: 'optimizer', in: ['adam'] } },
    ]));

    it('encode the inactive coordinate as INACTIVE_VALUE and decode it to an absent parameter', () => {
      const u = encodeParams(cond, { optimizer: 'adam', k: 2 });
      expect(u[1]).toBe(INACTIVE_VALUE);
      expect(decodePoint(cond, u)).toEqual({ optimizer: 'adam', k: 2 });
      // A stale value of an inactive parameter is ignored; a missing active one is an error.
      expect(encodeParams(cond, { optimizer: 'adam', momentum: 0.8, k: 2 })).toEqual(u);
      expect(() => encodeParams(cond, { optimizer: 'sgd' })).toThrow(/"momentum" is missing/);
      expect(Array.from(activeMask(cond, u))).toEqual([1, 0, 1]);
    });

    it('snap collapses the inactive coordinates, so points differing only there are one point', () => {
      const a = Float64Array.of(0.2, 0.1, 0.9), b = Float64Array.of(0.3, 0.7, 0.1);
      snapPoint(cond, a);
      snapPoint(cond, b);
      expect(a[2]).toBe(INACTIVE_VALUE);
      expect(b[2]).toBe(INACTIVE_VALUE);
      expect(a[1]).toBeCloseTo(0.1, 12);
      const c = Float64Array.of(0.8, 0.1, 0.9), e = Float64Array.of(0.9, 0.7, 0.9);
      snapPoint(cond, c);
      snapPoint(cond, e);
      expect(Array.from(c)).toEqual(Array.from(e));
      expect(paramsKey(cond, decodePoint(cond, c))).toBe(paramsKey(cond, { optimizer: 'adam', momentum: 0.3, k: 3 }));
    });

    it('count only the distinct active settings of a discrete space', () => {
      const discrete = createEncoding(ZSpace.parse([
        { type: 'categorical', name: 'optimizer', choices: ['sgd', 'adam'] },
        { type: 'int', name: 'm', low: 0, high: 4, when: { param: 'optimizer', in: ['sgd'] } },
      ]));
      expect(discreteSize(discrete)).toBe(6);
      expect(discreteSize(cond)).toBe(Infinity);
    });
  });
});
