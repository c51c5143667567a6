import { z } from 'zod';
import { TEST_FUNCTION_NAMES, getTestFunction, resolveDim, type TestFunctionName } from '../functions/test-functions';
import { ZSpace, type TSpace } from './space';
import { BO_METHODS } from '../bo/propose';
import { SAMPLER_OVERRIDABLE, ZObjective, ZSamplerObjective, scheduleEndProblem, type TSamplerObjective } from './objectives';
import { ZText, isReservedKey, reservedKeyMessage, unsafeTextReason } from './text';
import { ZS3Settings } from './s3';
import { ZObjectives, checkObjectives, withPrimaryObjective } from './multi-objective';
import { getMoFunction, isMoFunctionName } from '../functions/multi-objective';
import { ZPrunerConfig } from '../search/pruning';

/**
 * The study configuration: what a user writes (YAML on the CLI, the dashboard form, a tRPC call).
 * Every entry point validates with this schema, so an error always names the field.
 */

export const STUDY_KINDS = ['grid', 'random', 'bayesopt', 's3', 'evaluate'] as const;
export const ZStudyKind = z.enum(STUDY_KINDS);
export type TStudyKind = z.infer<typeof ZStudyKind>;

export { ZDirection, ZFunctionObjective, ZObjective, ZSamplerObjective, ZCommandObjective, ZEstimationSettings, objectiveNfe, scheduleEndProblem, studyEndTime } from './objectives';
export type { TDirection, TFunctionObjective, TObjective, TSamplerObjective, TCommandObjective, TEstimationSettings } from './objectives';

export const ZBudget = z.object({
  /** Number of trials (for `grid`, the cap on the grid size). */
  trials: z.number().int().min(1).max(1_000_000),
  /** Trials kept in flight at once. */
  parallel: z.number().int().min(1).max(1024).default(4),
  /** Cheap objectives: trials evaluated per compute activity (trial rows stay one per trial). */
  batchSize: z.number().int().min(1).max(1024).optional(),
  /** Stop early once a trial reaches this objective value (direction-aware). */
  targetValue: z.number().finite().optional(),
});
export type TBudget = z.infer<typeof ZBudget>;

export const ZBayesOptSettings = z.object({
  method: z.enum(BO_METHODS).default('gp-logei'),
  /** Trials drawn from a scrambled Sobol design before the surrogate takes over. */
  initialDesign: z.number().int().min(1).max(1000).default(10),
  /**
   * Synchronous batches: the next `parallel` proposals wait until every earlier trial has a
   * result, so each proposal depends only on the seed and the trial numbers, and a rerun repeats
   * the study exactly. Off (asynchronous), a free slot proposes at once from whatever has
   * finished, faster but dependent on completion order.
   */
  reproducible: z.boolean().default(false),
  /**
   * Studies with `objectives`: ehvi (Monte Carlo expected hypervolume improvement over one GP per
   * objective) or parego (a random Chebyshev scalarisation per trial over `method`). Default: ehvi
   * up to three objectives, parego for four (the exact hypervolume behind EHVI grows fast there).
   */
  multiObjective: z.enum(['ehvi', 'parego']).optional(),
});
export type TBayesOptSettings = z.infer<typeof ZBayesOptSettings>;

/** An `evaluate` candidate: sampler fields it overrides (preset, nfe, spacing, guidance, ..., or a whole `schedule`). */
type TCandidateValue = string | number | boolean | Record<string, unknown>;
// Keys are checked on the raw object: a record parse silently drops a `__proto__` key.
export const ZCandidate = z
  .custom<Record<string, TCandidateValue>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'a candidate is an object of sampler settings such as { preset: ddim, nfe: 10 }')
  .superRefine((c, ctx) => {
    for (const key of Object.keys(c)) {
      const reason = isReservedKey(key) ? reservedKeyMessage(key) : unsafeTextReason(key);
      if (reason) ctx.addIssue({ code: 'custom', path: [key], message: reason });
    }
  })
  .pipe(
    z.record(z.string().max(64), z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.record(z.string(), z.unknown())])).superRefine((c, ctx) => {
      for (const [key, value] of Object.entries(c)) {
        const reason = typeof value === 'string' ? unsafeTextReason(value) : null;
        if (reason) ctx.addIssue({ code: 'custom', path: [key], message: reason });
      }
    }),
  );

export const ZRacingSettings = z.object({
  /** Bound on the probability that the true best candidate is dropped. */
  alpha: z.number().gt(0).lt(0.5).default(0.05),
  /** Stop once no survivor can be more than this much better than the leader (metric units). */
  indifference: z.number().min(0).optional(),
});

/**
 * Thresholdout (Dwork et al. 2015; see docs/architecture.md) on the holdout while a grid, random or
 * bayesopt search runs: each new best trial's search estimate is checked against its mean on the
 * first min(size, 256) holdout seeds. All values are in the objective metric's own (absolute) units.
 */
export const ZThresholdout = z.object({
  /** Gap |holdout - search estimate| (metric units) up to which the search estimate is the answer. */
  threshold: z
    .number({ error: (iss) => (iss.input === undefined ? 'give the threshold: the largest |holdout - search| gap, in metric units, answered by the search estimate' : undefined) })
    .positive('threshold must be > 0 (metric units)'),
  /** Laplace noise scale (metric units); default threshold / 4 (Dwork et al.: T = 0.04, sigma = 0.01). */
  sigma: z.number().positive('sigma must be > 0 (metric units)').optional(),
  /** Over-threshold answers allowed; afterwards the holdout is no longer consulted during the search. */
  budget: z.number().int().min(1).max(10_000).default(10),
});
export type TThresholdout = z.infer<typeof ZThresholdout>;

/** Holdout seeds consulted by Thresholdout during a search: the first min(size, 256). */
export const THRESHOLDOUT_BLOCK_MAX = 256;

/** Seeds reserved for final numbers: search-time evaluations never touch them. */
export const ZHoldout = z.object({
  start: z.number().int().min(1).max(2 ** 31 - 1),
  size: z.number().int().min(2).max(1_000_000),
  /** Guard the holdout with Thresholdout when the search consults it (not for kind "evaluate"). */
  thresholdout: ZThresholdout.optional(),
});
export type THoldout = z.infer<typeof ZHoldout>;

const ZStudyConfigBase = z.object({
  name: ZText(200).trim().min(1, 'give the study a name'),
  kind: ZStudyKind,
  objective: ZObjective,
  /**
   * Several objectives at once (2 to 4), each a metric and a direction: the study keeps their
   * Pareto front (see multi-objective.ts for what a metric names per objective type). The first
   * is the primary one (a trial's `value`); objective.metric / direction are set from it.
   */
  objectives: ZObjectives.optional(),
  /** Omit for a `function` objective to search the function's standard domain. */
  space: ZSpace.optional(),
  budget: ZBudget,
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Settings of `bayesopt` studies (defaults apply when omitted). */
  bayesopt: ZBayesOptSettings.optional(),
  /** `evaluate` studies: the configurations to compare (at least two). */
  candidates: z.array(ZCandidate).min(2, 'give at least two candidates to compare').max(64).optional(),
  racing: ZRacingSettings.optional(),
  holdout: ZHoldout.optional(),
  /** `s3` studies: the NFE budgets and the search's settings. */
  s3: ZS3Settings.optional(),
  /**
   * Stops unpromising trials early from the intermediate values a `command` program prints
   * (one JSON line per step with `step` and the metric): median, asha or hyperband.
   */
  pruner: ZPrunerConfig.optional(),
});

const RMSE_TEND_MESSAGE =
  'rmse is measured against the reference solution at the study\'s one end time, so tEnd cannot vary per trial; set objective.tEnd instead';

/**
 * The sampler objective a trial with these overrides (a candidate, a schedule choice) resolves
 * to must itself be valid, and for rmse its schedule must end at the study's end time: issues go
 * under `path`, e.g. candidates.2.schedule.steps.1.order, so a bad candidate is refused at launch.
 */
function checkSamplerOverrides(ctx: z.RefinementCtx, objective: TSamplerObjective, overrides: Record<string, unknown>, path: (string | number)[]): void {
  if (objective.metric === 'rmse' && 'tEnd' in overrides) {
    ctx.addIssue({ code: 'custom', path: [...path, 'tEnd'], message: RMSE_TEND_MESSAGE });
  }
  // Text that cannot be stored is reported by ZCandidate already: left out here, not reported twice.
  const checked = Object.fromEntries(Object.entries(overrides).filter(([, v]) => typeof v !== 'string' || unsafeTextReason(v) === null));
  const parsed = ZSamplerObjective.safeParse({ ...objective, ...checked });
  if (!parsed.success) {
    // Only issues of the overridden fields: the study's own objective is checked (and reported) once, as objective.*.
    for (const issue of parsed.error.issues) {
      if (typeof issue.path[0] === 'string' && issue.path[0] in checked) ctx.addIssue({ code: 'custom', path: [...path, ...(issue.path as (string | number)[])], message: issue.message });
    }
    return;
  }
  const schedule = 'schedule' in overrides ? parsed.data.schedule : undefined;
  if (schedule && objective.metric === 'rmse') {
    const problem = scheduleEndProblem(schedule, objective);
    if (problem) ctx.addIssue({ code: 'custom', path: [...path, 'schedule', 'timesteps'], message: problem });
  }
}

export const ZStudyConfig = ZStudyConfigBase.superRefine((cfg, ctx) => {
  if (cfg.kind === 's3') {
    if (cfg.objective.type !== 'sampler') ctx.addIssue({ code: 'custom', path: ['objective', 'type'], message: 'an s3 study searches solver schedules: use a sampler objective' });
    if (!cfg.s3) ctx.addIssue({ code: 'custom', path: ['s3'], message: 'an s3 study needs its settings, at least the NFE budgets: s3: { nfe: [4, 5, 6] }' });
    if (cfg.space) ctx.addIssue({ code: 'custom', path: ['space'], message: 'an s3 study searches whole solver schedules; restrict the decisions with s3.space instead of a parameter space' });
    if (cfg.holdout) ctx.addIssue({ code: 'custom', path: ['holdout'], message: 'an s3 study certifies on its own holdout seeds: set s3.holdoutSamples instead' });
    if (cfg.objective.type === 'sampler' && cfg.objective.tEnd !== undefined && cfg.s3?.tEnd !== undefined && cfg.objective.tEnd !== cfg.s3.tEnd) {
      ctx.addIssue({ code: 'custom', path: ['s3', 'tEnd'], message: `s3.tEnd (${cfg.s3.tEnd}) and objective.tEnd (${cfg.objective.tEnd}) differ: a study has one end time; set only one of them` });
    }
  } else if (cfg.s3) {
    ctx.addIssue({ code: 'custom', path: ['s3'], message: `s3 settings only apply to kind "s3" (this study is "${cfg.kind}")` });
  }
  if (cfg.kind === 'evaluate') {
    if (cfg.objective.type !== 'sampler') ctx.addIssue({ code: 'custom', path: ['objective', 'type'], message: 'an evaluate study compares sampler configurations: use a sampler objective' });
    if (!cfg.candidates) ctx.addIssue({ code: 'custom', path: ['candidates'], message: 'an evaluate study needs candidates: a list of sampler settings such as { preset: ddim, nfe: 10 }' });
    cfg.candidates?.forEach((c, i) => {
      for (const key of Object.keys(c)) {
        if (!isReservedKey(key) && !(SAMPLER_OVERRIDABLE as readonly string[]).includes(key)) {
          ctx.addIssue({ code: 'custom', path: ['candidates', i, key], message: `a candidate sets ${SAMPLER_OVERRIDABLE.join(', ')}; "${key}" is none of them` });
        }
      }
      if (cfg.objective.type === 'sampler') checkSamplerOverrides(ctx, cfg.objective, c, ['candidates', i]);
    });
  } else {
    if (cfg.candidates) ctx.addIssue({ code: 'custom', path: ['candidates'], message: 'candidates only apply to kind "evaluate"' });
    if (cfg.racing) ctx.addIssue({ code: 'custom', path: ['racing'], message: 'racing only applies to kind "evaluate"' });
  }
  if (cfg.holdout) {
    // Seeds are stored as 32-bit integers (trial blocks), so the whole range must fit.
    if (cfg.holdout.start + cfg.holdout.size > 2 ** 31 - 1) {
      ctx.addIssue({ code: 'custom', path: ['holdout', 'size'], message: `holdout seeds run to start + size = ${cfg.holdout.start + cfg.holdout.size}, past the last seed ${2 ** 31 - 1}; lower holdout.start or holdout.size` });
    }
    if (cfg.objective.type !== 'sampler') ctx.addIssue({ code: 'custom', path: ['holdout'], message: 'a holdout seed range applies to sampler objectives' });
    else if (cfg.objective.estimation.maxSamples > cfg.holdout.start) {
      ctx.addIssue({ code: 'custom', path: ['holdout', 'start'], message: `search-time seeds run up to objective.estimation.maxSamples (${cfg.objective.estimation.maxSamples}); start the holdout at or after it` });
    }
    if (cfg.holdout.thresholdout && cfg.kind === 'evaluate') {
      ctx.addIssue({ code: 'custom', path: ['holdout', 'thresholdout'], message: 'thresholdout guards a holdout that a grid, random or bayesopt search consults; an evaluate study uses its holdout only once, for the final numbers' });
    }
  }
  cfg.space?.forEach((p, i) => {
    if (p.type !== 'categorical' || (p.name === 'schedule' && cfg.objective.type === 'sampler')) return;
    p.choices.forEach((c, j) => {
      if (typeof c === 'object') ctx.addIssue({ code: 'custom', path: ['space', i, 'choices', j], message: `choices of "${p.name}" are strings, numbers or booleans; only a sampler study's "schedule" parameter takes objects (solver schedules)` });
    });
  });
  if (cfg.pruner && cfg.objective.type !== 'command') {
    ctx.addIssue({ code: 'custom', path: ['pruner'], message: `a pruner stops training runs from the per-step values a command program prints; this study's objective is "${cfg.objective.type}": remove pruner or use a command objective` });
  }
  if (cfg.bayesopt && cfg.kind !== 'bayesopt') {
    ctx.addIssue({ code: 'custom', path: ['bayesopt'], message: `bayesopt settings only apply to kind "bayesopt" (this study is "${cfg.kind}")` });
  }
  checkObjectives(cfg, ctx);
  if (cfg.objective.type === 'function' && isMoFunctionName(cfg.objective.function)) {
    const name = cfg.objective.function;
    if (name === 'branin_currin' && cfg.objective.dim !== undefined && cfg.objective.dim !== 2) {
      ctx.addIssue({ code: 'custom', path: ['objective', 'dim'], message: 'branin_currin has dimension 2; remove dim or set it to 2' });
    } else if (name === 'zdt1' && cfg.objective.dim !== undefined && cfg.objective.dim < 2) {
      ctx.addIssue({ code: 'custom', path: ['objective', 'dim'], message: 'zdt1 needs dim >= 2' });
    } else if (cfg.space) {
      const dim = getMoFunction(name, cfg.objective.dim).dim;
      if (cfg.space.length !== dim) ctx.addIssue({ code: 'custom', path: ['space'], message: `${name} takes ${dim} inputs but the space has ${cfg.space.length} parameters` });
      cfg.space.forEach((p, i) => {
        if (p.type === 'categorical') ctx.addIssue({ code: 'custom', path: ['space', i, 'type'], message: 'a test-function input must be float or int' });
      });
    }
  } else if (cfg.objective.type === 'function') {
    const fn = getTestFunction(cfg.objective.function as TestFunctionName); // not a multi-output one (the branch above)
    if (fn.fixedDim !== null && cfg.objective.dim !== undefined && cfg.objective.dim !== fn.fixedDim) {
      ctx.addIssue({ code: 'custom', path: ['objective', 'dim'], message: `${fn.name} has dimension ${fn.fixedDim}; remove dim or set it to ${fn.fixedDim}` });
    }
    if (fn.fixedDim === null && cfg.objective.dim !== undefined && cfg.objective.dim < fn.minDim) {
      ctx.addIssue({ code: 'custom', path: ['objective', 'dim'], message: `${fn.name} needs dim >= ${fn.minDim}` });
    }
    const dim = resolveDim(fn, cfg.objective.dim);
    if (cfg.space) {
      if (cfg.space.length !== dim) {
        ctx.addIssue({ code: 'custom', path: ['space'], message: `${fn.name} takes ${dim} inputs but the space has ${cfg.space.length} parameters` });
      }
      cfg.space.forEach((p, i) => {
        if (p.type === 'categorical') {
          ctx.addIssue({ code: 'custom', path: ['space', i, 'type'], message: 'a test-function input must be float or int' });
        }
      });
    }
  } else if (cfg.kind === 'evaluate' || cfg.kind === 's3') {
    if (cfg.space && cfg.kind === 'evaluate') ctx.addIssue({ code: 'custom', path: ['space'], message: 'an evaluate study lists candidates instead of a search space' });
  } else if (!cfg.space) {
    ctx.addIssue({ code: 'custom', path: ['space'], message: `a ${cfg.objective.type} objective needs a search space` });
  } else if (cfg.objective.type === 'sampler') {
    const objective = cfg.objective;
    cfg.space.forEach((p, i) => {
      if (!(SAMPLER_OVERRIDABLE as readonly string[]).includes(p.name)) {
        ctx.addIssue({ code: 'custom', path: ['space', i, 'name'], message: `a sampler study searches ${SAMPLER_OVERRIDABLE.join(', ')}; "${p.name}" is none of them` });
      }
      if (p.name === 'tEnd' && objective.metric === 'rmse') {
        ctx.addIssue({ code: 'custom', path: ['space', i, 'name'], message: RMSE_TEND_MESSAGE });
      }
      if (p.name === 'schedule') {
        if (p.type !== 'categorical') {
          ctx.addIssue({ code: 'custom', path: ['space', i, 'type'], message: 'a schedule parameter is categorical: list whole solver schedules as its choices' });
        } else {
          if (cfg.kind === 'bayesopt') ctx.addIssue({ code: 'custom', path: ['space', i], message: 'bayesopt cannot model a choice among whole schedules; use grid or random (or kind s3 to search schedules)' });
          p.choices.forEach((choice, j) => checkSamplerOverrides(ctx, objective, { schedule: choice }, ['space', i, 'choices', j]));
        }
      }
    });
  }
}).transform(withPrimaryObjective);

export type TStudyConfig = z.infer<typeof ZStudyConfig>;
export type TStudyConfigInput = z.input<typeof ZStudyConfig>;

/** The search space a study actually uses: the given one, or the objective's standard domain. */
export function effectiveSpace(cfg: TStudyConfig): TSpace {
  if (cfg.space) return cfg.space;
  if (cfg.objective.type !== 'function') throw new Error('effectiveSpace: only function objectives have a default space');
  if (isMoFunctionName(cfg.objective.function)) {
    // The multi-output problems are defined on the unit cube.
    const dim = getMoFunction(cfg.objective.function, cfg.objective.dim).dim;
    return Array.from({ length: dim }, (_, i) => ({ type: 'float' as const, name: `x${i + 1}`, low: 0, high: 1, log: false, gridPoints: 5 }));
  }
  const fn = getTestFunction(cfg.objective.function);
  const dim = resolveDim(fn, cfg.objective.dim);
  return fn.bounds(dim).map(([low, high], i) => ({ type: 'float' as const, name: `x${i + 1}`, low, high, log: false, gridPoints: 5 }));
}

/** A field-level error list from a failed parse: `budget.parallel: Number must be ...`. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(config)'}: ${issue.message}`);
}
