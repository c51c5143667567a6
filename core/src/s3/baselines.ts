import { NOISE_SCHEDULE_NAMES, getNoiseSchedule } from '../sampling/noise-schedules';
import { PRESET_NAMES, buildPresetSchedule, type PresetName } from '../sampling/presets';
import { scheduleNfe, ZSolverSchedule, type TSolverSchedule } from '../sampling/schedule';
import type { SpacingName } from '../sampling/spacings';

/**
 * The tuned baselines an S^3 study must beat at each NFE: every published preset, exactly as its
 * official implementation builds it (no repair into the search space), with every spacing family
 * (logSNR, time-uniform, time-quadratic, Karras with rho 3/5/7), with and without the analytic
 * first step, and for UniPC both predictor orders and both endings (lower-order final or not).
 * All end at the study's tEnd. Presets that cannot reach the NFE exactly are left out.
 */

export interface BaselineSpec {
  preset: PresetName;
  spacing: SpacingName;
  rho?: number;
  order?: number;
  lowerOrderFinal?: boolean;
  analyticFirstStep: boolean;
  /** Human-readable, e.g. "unipc-bh2 · karras rho 7 · p2 · AFS". */
  label: string;
}

const SPACINGS: Array<{ spacing: SpacingName; rho?: number }> = [
  { spacing: 'logSNR' }, { spacing: 'time-uniform' }, { spacing: 'time-quadratic' },
  { spacing: 'karras', rho: 3 }, { spacing: 'karras', rho: 5 }, { spacing: 'karras', rho: 7 },
];

function label(s: Omit<BaselineSpec, 'label'>): string {
  const parts: string[] = [s.preset, s.rho !== undefined ? `${s.spacing} rho ${s.rho}` : s.spacing];
  if (s.order !== undefined) parts.push(`p${s.order}`);
  if (s.lowerOrderFinal === false) parts.push('no lower-order final');
  if (s.analyticFirstStep) parts.push('AFS');
  return parts.join(' · ');
}

export interface BaselineSchedule {
  spec: BaselineSpec;
  schedule: TSolverSchedule;
}

export function s3Baselines(opts: { nfe: number; noiseSchedule: (typeof NOISE_SCHEDULE_NAMES)[number]; tEnd: number; presets?: readonly PresetName[] }): BaselineSchedule[] {
  const tStart = getNoiseSchedule(opts.noiseSchedule).tMax;
  const out: BaselineSchedule[] = [];
  for (const preset of opts.presets ?? PRESET_NAMES) {
    const unipc = preset.startsWith('unipc');
    const orders = unipc ? [2, 3] : [undefined];
    const endings = unipc ? [undefined, false] : [undefined];
    for (const sp of SPACINGS) {
      for (const order of orders) {
        for (const lowerOrderFinal of endings) {
          for (const analyticFirstStep of [false, true]) {
            const spec = { preset, ...sp, ...(order !== undefined ? { order } : {}), ...(lowerOrderFinal !== undefined ? { lowerOrderFinal } : {}), analyticFirstStep };
            let schedule: TSolverSchedule;
            try {
              // With the analytic first step the first of nfe + 1 evaluations costs nothing.
              const built = buildPresetSchedule(preset, analyticFirstStep ? opts.nfe + 1 : opts.nfe, {
                noiseSchedule: opts.noiseSchedule, spacing: sp.spacing, tStart, tEnd: opts.tEnd, rho: sp.rho, order, lowerOrderFinal,
              });
              schedule = ZSolverSchedule.parse({ ...built, analyticFirstStep });
            } catch {
              continue; // e.g. a singlestep preset whose step pattern cannot make this NFE
            }
            if (scheduleNfe(schedule) !== opts.nfe) continue;
            out.push({ spec: { ...spec, label: label(spec) }, schedule });
          }
        }
      }
    }
  }
  return out;
}
