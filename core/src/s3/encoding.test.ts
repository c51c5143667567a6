import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { encodeAll, encodeSchedule, encodingDim } from './encoding';
import { randomSchedule } from './random';
import { presetSeeds } from './seeds';
import { parseS3Space } from './space';

describe('schedule encoding', () => {
  it('has a fixed length per NFE group, coordinates in [0, 1], and tells schedules apart', () => {
    for (const nfe of [2, 5, 10]) {
      const space = parseS3Space({ nfe, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
      const rng = new CounterRng(nfe);
      const schedules = [...presetSeeds(space).map((s) => s.schedule), ...Array.from({ length: 100 }, () => randomSchedule(space, rng))];
      const d = encodingDim(nfe);
      const X = encodeAll(schedules, space);
      expect(X.length).toBe(schedules.length * d);
      expect(Math.min(...X)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...X)).toBeLessThanOrEqual(1);
      const rows = new Set(schedules.map((_, i) => Array.from(X.subarray(i * d, (i + 1) * d)).join(',')));
      expect(rows.size).toBe(schedules.length);
      expect(Array.from(encodeSchedule(schedules[3], space))).toEqual(Array.from(X.subarray(3 * d, 4 * d)));
    }
  });
});
