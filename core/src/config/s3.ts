import { z } from 'zod';
import { PREDICTOR_NAMES } from '../s3/predictor';
import { SAMPLER_PRESET_NAMES } from '../sampling/presets';
import { PREDICTION_TYPES, INTERPOLATIONS, MAX_INTERMEDIATE, MAX_ORDER } from '../sampling/schedule';
import { S3_RELAXATIONS } from '../s3/space';
import { studyEndTime } from './objectives';
import type { NoiseScheduleName } from '../sampling/noise-schedules';

/**
 * Settings of an `s3` study: a per-step solver-schedule search (USF/S^3) at several NFE budgets,
 * with tuned preset baselines chosen on `selectionSamples` seeds and every claim certified on
 * `holdoutSamples` fresh seeds (a seed stream the search never sees). See docs/architecture.md,
 * "The S^3 study".
 *
 * Seeds: every real evaluation during the search uses samples 0..searchSamples-1 of the study
 * seed (common random numbers: candidates differ only by their schedule); selection extends to
 * 0..selectionSamples-1; the holdout is samples 0..holdoutSamples-1 of a different seed.
 */

const decision = <T extends string>(values: readonly [T, ...T[]], field: string) =>
  z
    .array(z.enum(values, { error: `s3.space.${field} entries must be one of ${values.join(', ')}` }))
    .min(1, { error: `s3.space.${field} must allow at least one of ${values.join(', ')}` })
    .optional();

/** Which per-step decisions the search may take (the NFE, noise schedule and end time come from elsewhere). */
export const ZS3Decisions = z
  .object({
    predictions: decision(PREDICTION_TYPES, 'predictions'),
    maxOrder: z.number().int().min(1).max(MAX_ORDER).optional(),
    corrector: z.boolean().optional(),
    maxIntermediate: z.number().int().min(0).max(MAX_INTERMEDIATE).optional(),
    analyticFirstStep: z.boolean().optional(),
    interpolations: decision(INTERPOLATIONS, 'interpolations'),
    relaxations: decision(S3_RELAXATIONS as [string, ...string[]], 'relaxations'),
  })
  .strict();

export const ZS3Settings = z
  .object({
    /** The NFE budgets searched; each is its own group of candidates and baselines. */
    nfe: z
      .array(z.number().int().min(2, 'an NFE budget below 2 leaves nothing to search').max(20, 'S^3 targets low NFE: at most 20'))
      .min(1, 'give at least one NFE budget, e.g. nfe: [4, 5, 6]')
      .max(8, 'at most 8 NFE budgets per study')
      .refine((xs) => new Set(xs).size === xs.length, 'an NFE budget is listed twice; list each once'),
    /**
     * End time shared by every candidate and baseline (the RMSE reference is taken there too);
     * default objective.tEnd, else the model's noise schedule's default end time.
     */
    tEnd: z.number().positive().lt(0.5).optional(),
    /** Real evaluations per stage and NFE group (the predictor's picks, plus exploration). */
    stageSize: z.number().int().min(2).max(512).default(48),
    /** Seeds per real evaluation during the search (the same seeds for every candidate). */
    searchSamples: z.number().int().min(16).max(65_536).default(512),
    /** Seeds on which the best baseline and the best searched schedules are chosen. */
    selectionSamples: z.number().int().min(16).max(262_144).default(2048),
    /** Fresh seeds on which the chosen baseline and schedule are compared (the reported figures). */
    holdoutSamples: z.number().int().min(16).max(262_144).default(4096),
    /** Searched schedules per group re-evaluated on the selection seeds before the winner is chosen. */
    finalists: z.number().int().min(1).max(16).default(3),
    /** Surrogate that screens the evolved population; `none` is plain evolution on real evaluations. */
    predictor: z.enum([...PREDICTOR_NAMES, 'none'] as [string, ...string[]]).default('gp'),
    /**
     * Also run the same search with the predictor switched off (plain evolution on real
     * evaluations) in every group, with the same number of real evaluations and the same
     * baselines: the report then says whether the predictor earned its place (paired, on the same
     * holdout seeds).
     */
    ablation: z.boolean().default(false),
    /** Children evolved and screened by the predictor per stage and group. */
    populationSize: z.number().int().min(16).max(20_000).default(3000),
    /**
     * Presets the baselines are drawn from (default: every USF preset, each with every spacing
     * family, with and without the analytic first step). Narrow it only for quick runs: a claim
     * against a subset is a claim against that subset. dpm-solver-v3 and dc-solver are baselines
     * only when named: they run their own solver paths (never search parents) and cost a
     * statistics computation per model (cached per model checksum; objective.calibration sets it).
     */
    baselinePresets: z
      .array(z.enum(SAMPLER_PRESET_NAMES, { error: `baselinePresets entries must be one of ${SAMPLER_PRESET_NAMES.join(', ')}` }))
      .min(1)
      .optional(),
    /** Restrict the decisions the search may take (default: all of them). */
    space: ZS3Decisions.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.selectionSamples < s.searchSamples) {
      ctx.addIssue({ code: 'custom', path: ['selectionSamples'], message: `selectionSamples (${s.selectionSamples}) must be at least searchSamples (${s.searchSamples}): selection extends the search's seeds` });
    }
  });
export type TS3Settings = z.infer<typeof ZS3Settings>;

/** The end time of every schedule of an s3 study, once the model's noise schedule is known. */
export function s3EndTime(config: { objective: { type: string; tEnd?: number }; s3?: { tEnd?: number } }, noiseSchedule: NoiseScheduleName): number {
  const objectiveEnd = config.objective.type === 'sampler' ? config.objective.tEnd : undefined;
  return config.s3?.tEnd ?? studyEndTime({ tEnd: objectiveEnd }, noiseSchedule);
}

/** The seed stream of the holdout: a different stream from the search's, derived from the study seed. */
export function s3HoldoutSeed(studySeed: number): number {
  return (studySeed + 0x2545f491) % 2 ** 31;
}

/** What a trial of an `s3` study is, in its params (`role`) beside the schedule and its NFE group. */
export const S3_ROLES = ['baseline', 'search', 'select', 'holdout'] as const;
export type S3Role = (typeof S3_ROLES)[number];

/**
 * The search arms of a study: the search itself, and with `ablation` the same search without its
 * predictor. Search, select and holdout trials carry their arm in params (`arm`); baselines are
 * shared by both arms.
 */
export const S3_ARMS = ['predictor', 'off'] as const;
export type S3Arm = (typeof S3_ARMS)[number];
export const s3Arms = (settings: { ablation?: boolean }): S3Arm[] => (settings.ablation ? ['predictor', 'off'] : ['predictor']);
