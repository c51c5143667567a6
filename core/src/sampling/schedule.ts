import { z } from 'zod';
import { NOISE_SCHEDULE_NAMES, getNoiseSchedule, type NoiseSchedule } from './noise-schedules';
import { SPACING_NAMES, makeTimesteps, timestepsProblem } from './spacings';

/**
 * A USF solver schedule: the JSON document S^3 searches over and every preset compiles to.
 *
 * Step i goes from t_i to t_{i+1}. It always evaluates the model once at its start t_i (the
 * "start point"), then optionally at intermediate points inside the step (singlestep methods:
 * DPM-Solver-2/3), then makes the final update to t_{i+1}. Each update (intermediate or final) is
 * an exponential-integrator step from t_i with a Taylor `order` (number of terms: f, f', f'', f'''),
 * whose derivatives come from a polynomial through the start point and `derivativePoints`:
 *   {"prev": k}  the start-point evaluation of step i-k (multistep methods: DPM-Solver++(2M/3M), UniPC, DEIS)
 *   {"mid": j}   intermediate point j of this same step (singlestep methods)
 * Omitted derivativePoints default to the most recent evaluations: this step's intermediate
 * points, newest first, then prev 1, 2, ... More points than order-1 give a higher-degree
 * interpolant whose derivatives are still truncated at `order` (USF's derivative-estimation order).
 *
 * With `corrector`, the model evaluation at t_{i+1} (which step i+1 needs anyway) also corrects
 * x_{i+1} UniC-style: the final update is recomputed with order+1 and that evaluation as an extra
 * point, at no extra NFE. `relaxation` rescales the first-derivative term of every update in the
 * step that has Taylor order exactly 2 (DPM-Solver-2, DPM-Solver++(2M), UniP-2, UniC-1); higher
 * orders use the exact phi coefficients (in UniPC B(h) cancels out of them exactly), except under
 * `dpmsolver-3m`, which halves the second-derivative term of every order-3 update in the step as
 * the official DPM-Solver(++) multistep third-order update does (coefficients.ts says why).
 *
 * Intermediate points are placed by their `r`, a fraction of the step's lambda interval. Presets
 * write the r that their reference implementation uses for the chosen spacing (see presets.ts);
 * a hand-written schedule names its fractions explicitly.
 */

export const PREDICTION_TYPES = ['noise', 'data'] as const;
export const RELAXATIONS = ['none', 'linear', 'dpmsolver-2', 'dpmsolver-3m', 'unipc-bh1', 'unipc-bh2'] as const;
export const INTERPOLATIONS = ['lambda', 'time'] as const;
export type TPrediction = (typeof PREDICTION_TYPES)[number];
export type TRelaxation = (typeof RELAXATIONS)[number];
export type TInterpolation = (typeof INTERPOLATIONS)[number];

export const MAX_ORDER = 4;
export const MAX_INTERMEDIATE = 3;

const POINT_MESSAGE = 'a derivative point is {"prev": k} (the start-point evaluation of step i-k) or {"mid": j} (intermediate point j of this step)';

export const ZPointRef = z.union(
  [
    z.object({ prev: z.number().int().min(1).max(16) }).strict(),
    z.object({ mid: z.number().int().min(0).max(MAX_INTERMEDIATE - 1) }).strict(),
  ],
  { error: POINT_MESSAGE },
);
export type TPointRef = z.infer<typeof ZPointRef>;

const ZOrder = z.number().int().min(1).max(MAX_ORDER);
const ZPoints = z.array(ZPointRef).max(8);

export const ZIntermediatePoint = z
  .object({
    /** Position inside the step as a fraction of h = lambda_{i+1} - lambda_i, in (0, 1). */
    r: z.number().gt(0).lt(1),
    order: ZOrder,
    derivativePoints: ZPoints.optional(),
  })
  .strict();
export type TIntermediatePoint = z.infer<typeof ZIntermediatePoint>;

export const ZStepDecision = z
  .object({
    prediction: z.enum(PREDICTION_TYPES),
    order: ZOrder,
    derivativePoints: ZPoints.optional(),
    intermediate: z.array(ZIntermediatePoint).max(MAX_INTERMEDIATE).default([]),
    /**
     * Variable the model output is expanded in: `lambda` (DPM-Solver, UniPC, USF) or `time`
     * (DEIS tAB: polynomial in t, integrated exactly against the exponential weight by quadrature).
     */
    interpolation: z.enum(INTERPOLATIONS).default('lambda'),
    relaxation: z.enum(RELAXATIONS).default('none'),
    /** c in the `linear` relaxation factor (1 + c h); only with relaxation `linear`. */
    relaxationCoefficient: z.number().finite().optional(),
    corrector: z.boolean().default(false),
  })
  .strict();
export type TStepDecision = z.infer<typeof ZStepDecision>;
export type TStepDecisionInput = z.input<typeof ZStepDecision>;

export const ZSpacedTimesteps = z
  .object({
    spacing: z.enum(SPACING_NAMES),
    /** Number of steps; optional because it must equal the length of `steps` anyway. */
    steps: z.number().int().min(1).optional(),
    tStart: z.number().positive().optional(),
    tEnd: z.number().positive().optional(),
    rho: z.number().positive().optional(),
  })
  .strict();

export const ZExplicitTimesteps = z
  .object({
    spacing: z.literal('explicit'),
    /** t_0 > t_1 > ... > t_N, one more than the number of steps. */
    values: z.array(z.number().finite()).min(2).max(10_001),
  })
  .strict();

export const ZTimestepsSpec = z.discriminatedUnion('spacing', [ZSpacedTimesteps, ZExplicitTimesteps]);
export type TTimestepsSpec = z.infer<typeof ZTimestepsSpec>;

const ZSolverScheduleBase = z
  .object({
    version: z.literal(1).default(1),
    noiseSchedule: z.enum(NOISE_SCHEDULE_NAMES),
    timesteps: ZTimestepsSpec,
    /**
     * Replace the first model evaluation (at t_0, nearly pure noise) by the exact noise prediction
     * for standardized data N(0, I): eps = sigma_{t0} x. Saves one NFE (USF's analytical first step).
     */
    analyticFirstStep: z.boolean().default(false),
    steps: z.array(ZStepDecision).min(1).max(10_000),
  })
  .strict();

/** A resolved reference: an outer-grid evaluation (index into t_0..t_N) or intermediate point j of the current step. */
export type ResolvedPoint = { kind: 'outer'; index: number } | { kind: 'mid'; index: number };

/**
 * The points an update uses besides its start point. `stage` is the intermediate-point index for
 * an intermediate update, or null for the final update. Throws nothing: callers validate counts.
 */
export function derivativePointsFor(stepIndex: number, step: TStepDecision, stage: number | null): TPointRef[] {
  const order = stage === null ? step.order : step.intermediate[stage].order;
  const explicit = stage === null ? step.derivativePoints : step.intermediate[stage].derivativePoints;
  if (explicit) return explicit;
  const mids = stage === null ? step.intermediate.length : stage;
  const candidates: TPointRef[] = [];
  for (let j = mids - 1; j >= 0; j--) candidates.push({ mid: j });
  for (let k = 1; k <= stepIndex; k++) candidates.push({ prev: k });
  return candidates.slice(0, order - 1);
}

export function resolvePoint(stepIndex: number, ref: TPointRef): ResolvedPoint {
  return 'prev' in ref ? { kind: 'outer', index: stepIndex - ref.prev } : { kind: 'mid', index: ref.mid };
}

function pointLabel(ref: TPointRef): string {
  return 'prev' in ref ? `{"prev": ${ref.prev}}` : `{"mid": ${ref.mid}}`;
}

type Ctx = z.RefinementCtx;

function checkUpdate(ctx: Ctx, i: number, step: TStepDecision, stage: number | null): void {
  const base: (string | number)[] = stage === null ? ['steps', i] : ['steps', i, 'intermediate', stage];
  const what = stage === null ? `step ${i}` : `step ${i} intermediate point ${stage}`;
  const order = stage === null ? step.order : step.intermediate[stage].order;
  const explicit = stage === null ? step.derivativePoints : step.intermediate[stage].derivativePoints;
  const midsAvailable = stage === null ? step.intermediate.length : stage;
  if (!explicit) {
    const available = i + midsAvailable;
    if (available < order - 1) {
      const remedy = stage === null
        ? 'lower the order, or add intermediate points (singlestep) to this step'
        : 'lower its order, or let it use earlier intermediate points';
      ctx.addIssue({
        code: 'custom',
        path: [...base, 'order'],
        message: `${what} uses order ${order} but only ${available} earlier evaluation${available === 1 ? ' exists' : 's exist'}; ${remedy} (order k needs k-1 earlier evaluations)`,
      });
    }
    return;
  }
  const seen = new Set<string>();
  explicit.forEach((ref, m) => {
    const path = [...base, 'derivativePoints', m];
    const label = pointLabel(ref);
    if (seen.has(label)) ctx.addIssue({ code: 'custom', path, message: `${what} lists ${label} twice` });
    seen.add(label);
    if ('prev' in ref && ref.prev > i) {
      ctx.addIssue({ code: 'custom', path, message: `${what} uses ${label} but only ${i} earlier step${i === 1 ? ' exists' : 's exist'} before step ${i}` });
    }
    if ('mid' in ref && ref.mid >= midsAvailable) {
      const msg = stage === null
        ? `${what} uses ${label} but the step has ${midsAvailable} intermediate point${midsAvailable === 1 ? '' : 's'}`
        : `${what} uses ${label} but can only use intermediate points computed before it (mid < ${stage})`;
      ctx.addIssue({ code: 'custom', path, message: msg });
    }
  });
  if (explicit.length < order - 1) {
    ctx.addIssue({
      code: 'custom',
      path: [...base, 'derivativePoints'],
      message: `${what} uses order ${order} but derivativePoints lists ${explicit.length} point${explicit.length === 1 ? '' : 's'}; order k needs at least k-1`,
    });
  }
}

function checkTimesteps(ctx: Ctx, s: z.infer<typeof ZSolverScheduleBase>, noise: NoiseSchedule): void {
  const n = s.steps.length;
  const spec = s.timesteps;
  if (spec.spacing === 'explicit') {
    if (spec.values.length !== n + 1) {
      ctx.addIssue({ code: 'custom', path: ['timesteps', 'values'], message: `${n} steps need ${n + 1} timesteps, got ${spec.values.length}` });
    }
    const problem = timestepsProblem(spec.values, noise);
    if (problem) ctx.addIssue({ code: 'custom', path: ['timesteps', 'values'], message: problem });
    return;
  }
  if (spec.steps !== undefined && spec.steps !== n) {
    ctx.addIssue({ code: 'custom', path: ['timesteps', 'steps'], message: `timesteps.steps is ${spec.steps} but the schedule lists ${n} steps` });
  }
  const tStart = spec.tStart ?? noise.tMax;
  const tEnd = spec.tEnd ?? noise.tMinDefault;
  if (tStart > noise.tMax) ctx.addIssue({ code: 'custom', path: ['timesteps', 'tStart'], message: `tStart (${tStart}) exceeds tMax (${noise.tMax}) of ${noise.name}` });
  if (!(tEnd < tStart)) ctx.addIssue({ code: 'custom', path: ['timesteps', 'tEnd'], message: `tEnd (${tEnd}) must be below tStart (${tStart})` });
  if (spec.rho !== undefined && spec.spacing !== 'karras') {
    ctx.addIssue({ code: 'custom', path: ['timesteps', 'rho'], message: `rho only applies to karras spacing, not ${spec.spacing}` });
  }
}

function checkStep(ctx: Ctx, i: number, step: TStepDecision, isLast: boolean): void {
  let prevR = 0;
  step.intermediate.forEach((mid, j) => {
    if (!(mid.r > prevR)) {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'intermediate', j, 'r'], message: `step ${i} intermediate points must have increasing r: r=${mid.r} follows r=${prevR}` });
    }
    prevR = mid.r;
    checkUpdate(ctx, i, step, j);
  });
  checkUpdate(ctx, i, step, null);

  if (step.corrector && isLast) {
    ctx.addIssue({
      code: 'custom',
      path: ['steps', i, 'corrector'],
      message: `step ${i} is the last step and cannot use the corrector: it reuses the next model evaluation and there is none; set corrector to false`,
    });
  }
  if (step.relaxation === 'linear' && step.relaxationCoefficient === undefined) {
    ctx.addIssue({ code: 'custom', path: ['steps', i, 'relaxationCoefficient'], message: `step ${i} uses the linear relaxation (1 + c h) but gives no relaxationCoefficient c` });
  }
  if (step.relaxation !== 'linear' && step.relaxationCoefficient !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['steps', i, 'relaxationCoefficient'], message: `step ${i} gives relaxationCoefficient but its relaxation is "${step.relaxation}"; it only applies to "linear"` });
  }
  if (step.relaxation !== 'none') {
    if (step.interpolation === 'time') {
      ctx.addIssue({ code: 'custom', path: ['steps', i, 'relaxation'], message: `step ${i}: relaxation "${step.relaxation}" rescales a derivative in lambda and cannot be combined with interpolation "time"` });
    } else {
      // The corrector is an update of order step.order + 1.
      const acted = step.relaxation === 'dpmsolver-3m' ? 3 : 2;
      const hasOrder = step.order === acted || step.intermediate.some((m) => m.order === acted) || (step.corrector && step.order === acted - 1);
      if (!hasOrder) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'relaxation'],
          message: `step ${i}: relaxation "${step.relaxation}" only acts on order-${acted} updates (predictor, intermediate point or corrector) and this step has none; set it to "none"`,
        });
      }
    }
  }
}

export const ZSolverSchedule = ZSolverScheduleBase.superRefine((s, ctx) => {
  const noise = getNoiseSchedule(s.noiseSchedule);
  checkTimesteps(ctx, s, noise);
  s.steps.forEach((step, i) => checkStep(ctx, i, step, i === s.steps.length - 1));
});

export type TSolverSchedule = z.infer<typeof ZSolverSchedule>;
export type TSolverScheduleInput = z.input<typeof ZSolverSchedule>;

/** Model evaluations the schedule makes: one per step start plus intermediate points, minus an analytic first step. */
export function scheduleNfe(schedule: Pick<TSolverSchedule, 'steps' | 'analyticFirstStep'>): number {
  let nfe = schedule.steps.length;
  for (const step of schedule.steps) nfe += step.intermediate?.length ?? 0;
  return nfe - (schedule.analyticFirstStep ? 1 : 0);
}

/** The outer grid t_0 > ... > t_N of a parsed schedule. */
export function scheduleTimesteps(schedule: TSolverSchedule, noise: NoiseSchedule = getNoiseSchedule(schedule.noiseSchedule)): number[] {
  const spec = schedule.timesteps;
  if (spec.spacing === 'explicit') return [...spec.values];
  return makeTimesteps(noise, { spacing: spec.spacing, steps: schedule.steps.length, tStart: spec.tStart, tEnd: spec.tEnd, rho: spec.rho });
}

/** Human-readable list of zod issues ("steps.3.order: ..."), for CLI and API errors. */
export function formatScheduleIssues(error: z.ZodError): string[] {
  return error.issues.map((iss) => `${iss.path.join('.') || '(root)'}: ${iss.message}`);
}
