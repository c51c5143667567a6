import { describe, expect, it } from 'vitest';
import { CounterRng, initialNoise, philox4x32 } from './rng';

describe('philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(Array.from(philox4x32(0, 0, 0, 0, 0, 0), (w) => w.toString(16).padStart(8, '0'))).toEqual([
      '6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8',
    ]);
    const ones = 0xffffffff;
    expect(Array.from(philox4x32(ones, ones, ones, ones, ones, ones), (w) => w.toString(16).padStart(8, '0'))).toEqual([
      '408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd',
    ]);
  });
});

describe('CounterRng', () => {
  it('is a pure function of (seed, stream)', () => {
    expect(initialNoise(7, 3, 16)).toEqual(initialNoise(7, 3, 16));
    expect(initialNoise(7, 3, 16)).not.toEqual(initialNoise(7, 4, 16));
    expect(initialNoise(8, 3, 16)).not.toEqual(initialNoise(7, 3, 16));
  });

  it('draws standard normals with the right first two moments', () => {
    const rng = new CounterRng(123, 0);
    const n = 200_000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      s2 += z * z;
    }
    const mean = s / n, variance = s2 / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('draws uniforms strictly inside (0, 1)', () => {
    const rng = new CounterRng(0, 0);
    for (let i = 0; i < 10_000; i++) {
      const u = rng.uniform();
      expect(u > 0 && u < 1).toBe(true);
    }
  });
});
