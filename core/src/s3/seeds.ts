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
  return preset.startsWith('unipc') ? [{}, { order: 2 }] : [{}];
}

/**
 * (spacing, analytic first step) combinations in the order a preset's seeds are listed: a stride
 * through the grid so that consecutive entries differ in both, and a stage that can only afford
 * the first few seeds of each preset still sees every spacing family and both first steps.
 */
function combos(afsChoices: boolean[]): Array<{ spacing: SpacingName; rho?: number; afs: boolean }> {
  const all = SEED_SPACINGS.flatMap((sp) => afsChoices.map((afs) => ({ ...sp, afs })));
  const stride = all.length % 3 === 0 ? 1 : 3;
  return all.map((_, k) => all[(k * stride) % all.length]);
}

/** Every preset seed, distinct after repair, in a round-robin order over presets (diverse prefixes). */
export function presetSeeds(space: S3Space): PresetSeed[] {
  const byPreset: PresetSeed[][] = [];
  const seen = new Set<string>();
  for (const preset of PRESET_NAMES) {
    const list: PresetSeed[] = [];
    for (const v of variants(preset)) {
      for (const { spacing, rho, afs } of combos(space.analyticFirstStep ? [false, true] : [false])) {
        {
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
