import { NOISE_SCHEDULE_NAMES, getNoiseSchedule } from '../sampling/noise-schedules';
import { PRESET_NAMES, STATISTICAL_PRESET_NAMES, buildPresetSchedule, isStatisticalPreset, type PresetName, type SamplerPresetName, type StatisticalPresetName } from '../sampling/presets';
import { scheduleNfe, ZSolverSchedule, type TSolverSchedule } from '../sampling/schedule';
import { makeTimesteps, type SpacingName } from '../sampling/spacings';
import type { TSamplerObjective } from '../config/objectives';

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

/** The USF baselines of an NFE group; statistics presets named in `presets` are s3PresetBaselines' (skipped here). */
export function s3Baselines(opts: { nfe: number; noiseSchedule: (typeof NOISE_SCHEDULE_NAMES)[number]; tEnd: number; presets?: readonly SamplerPresetName[] }): BaselineSchedule[] {
  const tStart = getNoiseSchedule(opts.noiseSchedule).tMax;
  const out: BaselineSchedule[] = [];
  const usf = (opts.presets ?? PRESET_NAMES).filter((p): p is PresetName => !isStatisticalPreset(p));
  for (const preset of usf) {
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

/**
 * A baseline that is not a USF schedule: dpm-solver-v3 or dc-solver, run through its own solver
 * path on the compute worker (statistics computed once per model and cached), named by the
 * sampler-objective fields it sets. Such a trial carries `preset`, `spacing`, `rho` and `nfe` in
 * its params instead of a `schedule`; it is compared and certified like any baseline but is never
 * a search parent (the search evolves USF schedules only).
 */
export interface PresetBaselineSolver {
  preset: StatisticalPresetName;
  nfe: number;
  spacing: SpacingName;
  rho?: number;
}

export interface PresetBaseline {
  spec: { preset: StatisticalPresetName; spacing: SpacingName; rho?: number; label: string };
  solver: PresetBaselineSolver;
}

/**
 * The statistics-preset baselines of an NFE group: each named preset with every spacing family
 * the USF presets get (their papers use logSNR or time-uniform; Karras is as tunable here as for
 * the others). Left out, so that no evaluation fails on a setting the solver refuses:
 * - dpm-solver-v3 where two timesteps snap to the same point of the EMS lambda grid
 *   (`emsGrid` intervals from tMax to tEnd, as planDpmSolverV3 checks);
 * - dc-solver below NFE 3, where it compensates no step and is UniPC (already a baseline).
 */
export function s3PresetBaselines(opts: { nfe: number; noiseSchedule: (typeof NOISE_SCHEDULE_NAMES)[number]; tEnd: number; presets?: readonly SamplerPresetName[]; emsGrid: number }): PresetBaseline[] {
  const noise = getNoiseSchedule(opts.noiseSchedule);
  const out: PresetBaseline[] = [];
  for (const preset of STATISTICAL_PRESET_NAMES) {
    if (!opts.presets?.includes(preset)) continue; // opt-in: see ZS3Settings.baselinePresets
    if (preset === 'dc-solver' && opts.nfe < 3) continue;
    for (const sp of SPACINGS) {
      if (preset === 'dpm-solver-v3') {
        const ts = makeTimesteps(noise, { spacing: sp.spacing, steps: opts.nfe, tStart: noise.tMax, tEnd: opts.tEnd, rho: sp.rho });
        const l0 = noise.lambda(noise.tMax), l1 = noise.lambda(opts.tEnd);
        const idx = ts.map((t) => Math.round((opts.emsGrid * (noise.lambda(t) - l0)) / (l1 - l0)));
        if (idx.some((k, i) => i > 0 && !(k > idx[i - 1]))) continue;
      }
      const solver: PresetBaselineSolver = { preset, nfe: opts.nfe, spacing: sp.spacing, ...(sp.rho !== undefined ? { rho: sp.rho } : {}) };
      const label = [preset, sp.rho !== undefined ? `${sp.spacing} rho ${sp.rho}` : sp.spacing].join(' · ');
      out.push({ spec: { preset, spacing: sp.spacing, ...(sp.rho !== undefined ? { rho: sp.rho } : {}), label }, solver });
    }
  }
  return out;
}

/** A preset baseline's solver from its trial params, or null for a trial that carries a USF schedule. */
export function presetBaselineOf(params: Record<string, unknown>): PresetBaselineSolver | null {
  if (params.schedule !== undefined || typeof params.preset !== 'string' || !isStatisticalPreset(params.preset)) return null;
  return {
    preset: params.preset, nfe: Number(params.nfe), spacing: params.spacing as SpacingName,
    ...(typeof params.rho === 'number' ? { rho: params.rho } : {}),
  };
}

/** The fields of an s3 trial that choose its solver: its USF schedule, or a preset baseline's settings. */
export function s3SolverParams(params: Record<string, unknown>): { schedule: unknown } | PresetBaselineSolver {
  return presetBaselineOf(params) ?? { schedule: params.schedule };
}

/**
 * The objective an s3 trial is evaluated with: the study's sampler objective at the study's end
 * time, solved by the trial's schedule, or for a preset baseline by that preset (the study's
 * `calibration` block applies), on the same seeds either way.
 */
export function s3TrialObjective(objective: TSamplerObjective, params: Record<string, unknown>, tEnd: number): TSamplerObjective {
  const preset = presetBaselineOf(params);
  if (!preset) return { ...objective, tEnd, schedule: params.schedule } as TSamplerObjective;
  const { schedule: _drop, rho: _rho, ...rest } = objective;
  return { ...rest, tEnd, ...preset };
}
