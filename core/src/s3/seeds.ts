import { PRESET_NAMES, buildPresetSchedule, type PresetName, type PresetOptions } from '../sampling/presets';
import type { SpacingName } from '../sampling/spacings';
import type { TSolverSchedule } from '../sampling/schedule';
import { repair } from './draft';
import { scheduleKey } from './key';
import type { S3Space } from './space';

/**
 * The population's starting points: every preset with every spacing family, with and without
 * the analytic first step, as explicit grids from the study's tStart to its tEnd, repaired into
 * the space at exactly its NFE. With the analytic first step a preset is built for nfe + 1
 * evaluations, one of which (the first) then costs nothing.
 */

export interface PresetSeed {
  preset: PresetName;
  spacing: SpacingName;
  rho?: number;
  /** UniPC predictor order, when not the default 3. */
  order?: number;
  analyticFirstStep: boolean;
  schedule: TSolverSchedule;
}

export const SEED_SPACINGS: Array<{ spacing: SpacingName; rho?: number }> = [
  { spacing: 'logSNR' },
  { spacing: 'time-uniform' },
  { spacing: 'time-quadratic' },
  { spacing: 'karras', rho: 3 },
  { spacing: 'karras', rho: 7 },
];

function variants(preset: PresetName): Array<{ order?: number }> {
  return preset.startsWith('unipc') ? [{ order: 2 }, {}] : [{}];
}

/** Every preset seed, distinct after repair, in a round-robin order over presets (diverse prefixes). */
export function presetSeeds(space: S3Space): PresetSeed[] {
  const byPreset: PresetSeed[][] = [];
  const seen = new Set<string>();
  for (const preset of PRESET_NAMES) {
    const list: PresetSeed[] = [];
    for (const { spacing, rho } of SEED_SPACINGS) {
      for (const afs of space.analyticFirstStep ? [false, true] : [false]) {
        for (const v of variants(preset)) {
          const nfe = space.nfe + (afs ? 1 : 0);
          const options: PresetOptions = { noiseSchedule: space.noiseSchedule, spacing, tStart: space.tStart, tEnd: space.tEnd, ...(rho !== undefined ? { rho } : {}), ...v };
          let built: TSolverSchedule;
          try {
            built = buildPresetSchedule(preset, nfe, options);
          } catch {
            continue; // e.g. a grid the spacing cannot place between tStart and tEnd
          }
          const schedule = repair({ ...built, analyticFirstStep: afs }, space);
          const key = scheduleKey(schedule);
          if (seen.has(key)) continue;
          seen.add(key);
          list.push({ preset, spacing, ...(rho !== undefined ? { rho } : {}), ...(v.order !== undefined ? { order: v.order } : {}), analyticFirstStep: afs, schedule });
        }
      }
    }
    byPreset.push(list);
  }
  const out: PresetSeed[] = [];
  for (let k = 0; byPreset.some((l) => k < l.length); k++) for (const l of byPreset) if (k < l.length) out.push(l[k]);
  return out;
}
