import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, buildPresetSchedule } from '../sampling/presets';
import { scheduleTimesteps } from '../sampling/schedule';
import { scheduleKey } from './key';
import { presetSeeds } from './seeds';
import { nfeOf, parseS3Space } from './space';

describe('preset seeds', () => {
  it('cover every preset and spacing family, with and without the analytic first step, at the exact NFE and tEnd', () => {
    const space = parseS3Space({ nfe: 6, noiseSchedule: 'vp-linear', tEnd: 2e-3 });
    const seeds = presetSeeds(space);
    expect(new Set(seeds.map((s) => s.preset))).toEqual(new Set(PRESET_NAMES));
    expect(new Set(seeds.map((s) => s.spacing))).toEqual(new Set(['logSNR', 'time-uniform', 'time-quadratic', 'karras']));
    expect(seeds.some((s) => s.analyticFirstStep)).toBe(true);
    expect(new Set(seeds.map((s) => scheduleKey(s.schedule))).size).toBe(seeds.length);
    for (const s of seeds) {
      expect(nfeOf(s.schedule)).toBe(6);
      const ts = scheduleTimesteps(s.schedule);
      expect(ts[ts.length - 1]).toBe(2e-3);
    }
    // Round-robin: the first 13 seeds are 13 different presets.
    expect(new Set(seeds.slice(0, PRESET_NAMES.length).map((s) => s.preset)).size).toBe(PRESET_NAMES.length);
  });

  it('keep the preset itself when the space allows it (same grid and decisions)', () => {
    const space = parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
    const seed = presetSeeds(space).find((s) => s.preset === 'dpmpp-2m' && s.spacing === 'logSNR' && !s.analyticFirstStep)!;
    const preset = buildPresetSchedule('dpmpp-2m', 5, { tEnd: 1e-3 });
    const a = scheduleTimesteps(seed.schedule), b = scheduleTimesteps(preset);
    a.forEach((t, k) => expect(t).toBeCloseTo(b[k], 12));
    expect(seed.schedule.steps.map((s) => [s.order, s.prediction, s.relaxation])).toEqual(preset.steps.map((s) => [s.order, s.prediction, s.relaxation]));
  });
});
