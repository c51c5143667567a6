import { z } from 'zod';
import { TEST_FUNCTION_NAMES } from '../functions/test-functions';
import { MO_FUNCTION_NAMES } from '../functions/multi-objective';
import { SAMPLER_PRESET_NAMES } from '../sampling/presets';
import { SPACING_NAMES } from '../sampling/spacings';
import { ZSolverSchedule, scheduleNfe, scheduleTimesteps, type TSolverSchedule } from '../sampling/schedule';
import { getNoiseSchedule } from '../sampling/noise-schedules';
import { ZKey, ZModelRef, ZProgramName, ZText } from './text';

/**
 * Objective kinds. A trial's parameters (from the search space) may override the objective's
 * fields of the same name: a sampler study can search over `preset`, `nfe`, `spacing`,
 * `guidance`, `tEnd` or `rho` just by naming a parameter so, and a trial's `schedule` (a whole
 * USF solver schedule, JSON) replaces preset, nfe and spacing for that trial.
 */

export const ZDirection = z.enum(['minimize', 'maximize']);
export type TDirection = z.infer<typeof ZDirection>;

export const ZFunctionObjective = z.object({
  type: z.literal('function'),
  /** A test function, or a multi-output one (branin_currin, zdt1: outputs f1, f2) for a study with `objectives`. */
  function: z.enum([...TEST_FUNCTION_NAMES, ...MO_FUNCTION_NAMES]),
  /** Dimension for functions that take any (ackley, levy, rosenbrock, styblinski_tang, zdt1). */
  dim: z.number().int().min(1).max(64).optional(),
  /** Standard deviation of additive Gaussian noise on each evaluation (0: noiseless). */
  noiseStd: z.number().min(0).default(0),
  direction: ZDirection.default('minimize'),
  metric: ZText(100).min(1).default('value'),
});
export type TFunctionObjective = z.infer<typeof ZFunctionObjective>;

/** How many samples a Monte Carlo estimate gets: sequential blocks until the CI is narrow enough. */
export const ZEstimationSettings = z
  .object({
    minSamples: z.number().int().min(2).max(1_000_000).default(64),
    maxSamples: z.number().int().min(2).max(1_000_000).default(1024),
    blockSize: z.number().int().min(1).max(65_536).default(64),
    /** Stop when the CI half-width is at most this (absolute units of the metric). */
    targetHalfWidth: z.number().positive().optional(),
    /** Stop when the CI half-width is at most this fraction of |mean|. */
    targetRelHalfWidth: z.number().positive().max(1).default(0.05),
    confidence: z.number().gt(0.5).lt(1).default(0.95),
  })
  .superRefine((e, ctx) => {
    if (e.maxSamples < e.minSamples) ctx.addIssue({ code: 'custom', path: ['maxSamples'], message: `maxSamples (${e.maxSamples}) must be at least minSamples (${e.minSamples})` });
  });
export type TEstimationSettings = z.infer<typeof ZEstimationSettings>;

export const SAMPLER_METRICS = ['rmse', 'nll', 'class_accuracy', 'fd_features'] as const;
export type SamplerMetric = (typeof SAMPLER_METRICS)[number];

/**
 * Metrics of a whole sample set rather than of each sample. They are estimated over independent
 * sets of `estimation.blockSize` samples (e.g. FD@512), with the interval taken across sets.
 */
export const SET_METRICS: readonly SamplerMetric[] = ['fd_features'];
export const isSetMetric = (m: SamplerMetric) => SET_METRICS.includes(m);

/**
 * Calibration of the statistics-based presets (dpm-solver-v3, dc-solver), computed once per
 * model on the compute worker and cached (workers/src/models/solver-statistics.ts). Read only by
 * those presets; the defaults are the papers' settings scaled to a CPU worker.
 */
export const ZSolverCalibration = z.object({
  /**
   * Seed stream of the calibration samples. The default, 2^31, lies outside every study's seed
   * range (0..2^31-1), so the statistics never see a sample they are evaluated on.
   */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(2 ** 31),
  /** dpm-solver-v3: model samples the empirical model statistics average over (the paper: 1024-4096 for images). */
  emsSamples: z.number().int().min(2, 'emsSamples must be at least 2: s and b are regressions over samples').max(4096).default(256),
  /** dpm-solver-v3: lambda-grid intervals of the statistics; timesteps snap to the grid, so it must exceed the NFE. */
  emsGrid: z.number().int().min(10).max(1000).default(120),
  /** dc-solver: calibration samples the compensation ratios are fitted on (the paper: 10). */
  dcSamples: z.number().int().min(1).max(256).default(10),
  /**
   * dc-solver: fit ratios at these NFEs only and predict a trial's by the cascade polynomial
   * regression when its NFE is not among them (default: fit at every trial's own NFE).
   */
  dcFitNfes: z
    .array(z.number().int().min(3, 'dcFitNfes entries must be at least 3: below that DC-Solver compensates no step'))
    .min(2, 'give at least two NFEs to fit the cascade regression on')
    .max(16)
    .refine((v) => new Set(v).size === v.length, 'dcFitNfes has a repeated NFE')
    .optional(),
});
export type TSolverCalibration = z.infer<typeof ZSolverCalibration>;

export const ZSamplerObjective = z.object({
  type: z.literal('sampler'),
  /** A built-in testbed (gaussian-1, gmm-2d, gmm-64d, gmm-cifar) or a model file in STEPWISE_MODEL_DIR. */
  model: ZModelRef,
  preset: z.enum(SAMPLER_PRESET_NAMES).default('dpmpp-2m'),
  /** Statistics of dpm-solver-v3 and dc-solver (defaults apply when omitted). */
  calibration: ZSolverCalibration.optional(),
  /** A full USF solver schedule; when given it replaces preset, nfe and spacing. */
  schedule: ZSolverSchedule.optional(),
  nfe: z.number().int().min(1).max(1000).default(10),
  spacing: z.enum(SPACING_NAMES).default('logSNR'),
  tEnd: z.number().positive().lt(1).optional(),
  rho: z.number().positive().optional(),
  /** Classifier-free guidance scale (conditional models). */
  guidance: z.number().min(0).max(100).default(0),
  label: z.number().int().min(0).optional(),
  /** Feature model for class_accuracy and fd_features (a built-in such as digits-features). */
  featureModel: ZModelRef.optional(),
  /**
   * rmse: per-sample distance to the reference solution's endpoint; nll: exact GMM negative
   * log-likelihood (analytic testbeds); class_accuracy: a feature model's classifier agrees with the
   * sample's label (conditional models); fd_features: Fréchet distance in the feature model's
   * space against held-out data, per set of estimation.blockSize samples.
   */
  metric: z.enum(SAMPLER_METRICS).default('rmse'),
  direction: ZDirection.default('minimize'),
  estimation: ZEstimationSettings.default({ minSamples: 64, maxSamples: 1024, blockSize: 64, targetRelHalfWidth: 0.05, confidence: 0.95 }),
});
export type TSamplerObjective = z.infer<typeof ZSamplerObjective>;

export const ZCommandObjective = z.object({
  type: z.literal('command'),
  /** A program NAME from the compute worker's allowlist file; never a command line. */
  program: ZProgramName,
  /** Key of the metric to optimise in the JSON object the program prints last. */
  metric: ZKey(100).min(1).default('value'),
  direction: ZDirection.default('minimize'),
});
export type TCommandObjective = z.infer<typeof ZCommandObjective>;

export const ZObjective = z.discriminatedUnion('type', [ZFunctionObjective, ZSamplerObjective, ZCommandObjective]);
export type TObjective = z.infer<typeof ZObjective>;

/** Sampler fields a search-space parameter of the same name overrides. */
export const SAMPLER_OVERRIDABLE = ['preset', 'nfe', 'spacing', 'guidance', 'tEnd', 'rho', 'label', 'schedule'] as const;

/** Model evaluations per sample of a resolved sampler objective: its schedule's own NFE, else the preset's `nfe`. */
export function objectiveNfe(objective: Pick<TSamplerObjective, 'schedule' | 'nfe'>): number {
  return objective.schedule ? scheduleNfe(objective.schedule) : objective.nfe;
}

/**
 * The end time every solve of a study integrates to: the objective's `tEnd`, else the noise
 * schedule's default. RMSE compares endpoints with the reference solution at this one time, so
 * every candidate and baseline of a study is scored at the same place (a schedule that stopped
 * earlier would otherwise be compared with a reference that stopped there too, and win by it).
 */
export function studyEndTime(objective: Pick<TSamplerObjective, 'tEnd'>, noiseSchedule: TSolverSchedule['noiseSchedule']): number {
  return objective.tEnd ?? getNoiseSchedule(noiseSchedule).tMinDefault;
}

/** Relative tolerance for "ends at the study's end time" (explicit timesteps are typed by people). */
const END_TIME_RTOL = 1e-6;

/**
 * Why a schedule does not end at the study's end time (a message naming both times and the fix),
 * or null when it does.
 */
export function scheduleEndProblem(schedule: TSolverSchedule, objective: Pick<TSamplerObjective, 'tEnd'>): string | null {
  const want = studyEndTime(objective, schedule.noiseSchedule);
  const ts = scheduleTimesteps(schedule);
  const got = ts[ts.length - 1];
  if (Math.abs(got - want) <= END_TIME_RTOL * want) return null;
  const source = objective.tEnd !== undefined ? 'objective.tEnd' : `the default end time of ${schedule.noiseSchedule}`;
  return `the schedule ends at t = ${got} but the study's end time is ${want} (${source}); every candidate is scored at that one time, so end the schedule's timesteps there (or set objective.tEnd)`;
}
