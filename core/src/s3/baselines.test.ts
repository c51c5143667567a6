import { describe, expect, it } from 'vitest';
import { planUsf } from '../sampling/usf';
import { PRESET_NAMES } from '../sampling/presets';
import { s3Baselines } from './baselines';

describe('s3Baselines', () => {
  for (const nfe of [4, 5, 6, 8, 10]) {
    it(`NFE ${nfe}: every baseline has exactly that NFE, starts at tMax and ends at the study's tEnd`, () => {
      const list = s3Baselines({ nfe, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
      expect(list.length).toBeGreaterThan(100);
      for (const b of list) {
        const plan = planUsf(b.schedule);
        expect(plan.nfe, b.spec.label).toBe(nfe);
        expect(plan.timesteps[0]).toBeCloseTo(1, 12);
        expect(plan.timesteps[plan.timesteps.length - 1]).toBeCloseTo(1e-3, 12);
      }
      // Every multistep preset is there at every NFE; labels are unique.
      const presets = new Set(list.map((b) => b.spec.preset));
      for (const p of PRESET_NAMES.filter((p) => !p.startsWith('dpm-solver-'))) expect(presets.has(p), p).toBe(true);
      expect(new Set(list.map((b) => b.spec.label)).size).toBe(list.length);
    });
  }
});
