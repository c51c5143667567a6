import { updateCoefficients, type NodeInfo } from './coefficients';
import type { Denoiser, FloatArray } from './denoiser';
import { getNoiseSchedule, logAlphaFromLambda, type NoiseSchedule } from './noise-schedules';
import {
  ZSolverSchedule,
  derivativePointsFor,
  formatScheduleIssues,
  resolvePoint,
  scheduleNfe,
  scheduleTimesteps,
  type ResolvedPoint,
  type TPrediction,
  type TSolverSchedule,
  type TStepDecision,
} from './schedule';

/**
 * The USF sampler: one exponential-integrator update (coefficients.ts) driven by a solver
 * schedule. All scalar work (lambdas, phi functions, Vandermonde solves, quadrature) happens once
 * in `planUsf`; sampling is then model calls plus one fused linear combination per update.
 *
 * State and model outputs are kept in Float64Array: multistep weights grow like 1/r and multiply
 * differences of nearly equal evaluations, and the state accumulates hundreds of small increments,
 * so float32 buffers would put a 1e-7 floor under the solver error and hide its convergence order.
 * The model still receives float32 input by default (one conversion pass per call), which is what
 * ONNX wants; float64 models (analytic references) get the float64 state directly.
 */

export interface PlannedTerm {
  point: ResolvedPoint;
  weight: number;
}

export interface PlannedUpdate {
  prediction: TPrediction;
  order: number;
  xCoef: number;
  startWeight: number;
  terms: PlannedTerm[];
}

export interface PlannedStage {
  t: number;
  lambda: number;
  update: PlannedUpdate;
}

export interface PlannedStep {
  tFrom: number;
  tTo: number;
  stages: PlannedStage[];
  final: PlannedUpdate;
  /** UniC-style correction using the evaluation at tTo (outer index i+1); null when off. */
  corrector: PlannedUpdate | null;
}

export interface UsfPlan {
  noise: NoiseSchedule;
  timesteps: number[];
  lambdas: number[];
  steps: PlannedStep[];
  nfe: number;
  analyticFirstStep: boolean;
  /** Outer evaluations kept alive at once. */
  historySize: number;
  maxIntermediate: number;
  needsNoise: boolean;
  needsData: boolean;
}

function planUpdate(
  noise: NoiseSchedule,
  step: TStepDecision,
  order: number,
  start: NodeInfo,
  target: NodeInfo,
  points: ResolvedPoint[],
  nodeOf: (p: ResolvedPoint) => NodeInfo,
): PlannedUpdate {
  const c = updateCoefficients(noise, {
    prediction: step.prediction,
    order,
    interpolation: step.interpolation,
    relaxation: step.relaxation,
    relaxationCoefficient: step.relaxationCoefficient,
    start,
    target,
    points: points.map(nodeOf),
  });
  return {
    prediction: step.prediction,
    order,
    xCoef: c.xCoef,
    startWeight: c.startWeight,
    terms: points.map((point, k) => ({ point, weight: c.pointWeights[k] })),
  };
}

/**
 * Precompute every coefficient of a schedule. The schedule is validated again (cheap next to
 * sampling), so a hand-built object that skipped ZSolverSchedule fails here with the same
 * step-and-field messages instead of somewhere inside the arithmetic.
 */
export function planUsf(input: TSolverSchedule, noise: NoiseSchedule = getNoiseSchedule(input.noiseSchedule)): UsfPlan {
  const checked = ZSolverSchedule.safeParse(input);
  if (!checked.success) throw new RangeError(`invalid solver schedule:\n${formatScheduleIssues(checked.error).join('\n')}`);
  const schedule = checked.data;
  if (noise.name !== schedule.noiseSchedule) {
    throw new RangeError(`the schedule is written for ${schedule.noiseSchedule} but the sampler was given ${noise.name}`);
  }
  const timesteps = scheduleTimesteps(schedule, noise);
  const n = schedule.steps.length;
  if (timesteps.length !== n + 1) throw new RangeError(`${n} steps need ${n + 1} timesteps, got ${timesteps.length}`);
  const lambdas = timesteps.map((t) => noise.lambda(t));
  const outerNode = (k: number): NodeInfo => ({ t: timesteps[k], lambda: lambdas[k] });

  let historySize = 1, maxIntermediate = 0, needsNoise = false, needsData = false;
  const steps: PlannedStep[] = schedule.steps.map((step, i) => {
    const start = outerNode(i), target = outerNode(i + 1);
    const h = target.lambda - start.lambda;
    const stageNodes: NodeInfo[] = step.intermediate.map((m) => {
      const lambda = start.lambda + m.r * h;
      return { t: noise.inverseLambda(lambda), lambda };
    });
    const nodeOf = (p: ResolvedPoint): NodeInfo => (p.kind === 'outer' ? outerNode(p.index) : stageNodes[p.index]);
    const resolve = (stage: number | null): ResolvedPoint[] => derivativePointsFor(i, step, stage).map((ref) => resolvePoint(i, ref));
    const stages = step.intermediate.map((m, j) => ({
      t: stageNodes[j].t,
      lambda: stageNodes[j].lambda,
      update: planUpdate(noise, step, m.order, start, stageNodes[j], resolve(j), nodeOf),
    }));
    const finalPoints = resolve(null);
    const final = planUpdate(noise, step, step.order, start, target, finalPoints, nodeOf);
    const corrector = step.corrector
      ? planUpdate(noise, step, step.order + 1, start, target, [...finalPoints, { kind: 'outer', index: i + 1 }], nodeOf)
      : null;

    let oldest = i;
    for (const u of [final, ...stages.map((s) => s.update)]) {
      for (const term of u.terms) if (term.point.kind === 'outer') oldest = Math.min(oldest, term.point.index);
    }
    historySize = Math.max(historySize, i + 1 - oldest + 1);
    maxIntermediate = Math.max(maxIntermediate, stages.length);
    if (step.prediction === 'noise') needsNoise = true;
    else needsData = true;
    return { tFrom: start.t, tTo: target.t, stages, final, corrector };
  });

  return {
    noise, timesteps, lambdas, steps, nfe: scheduleNfe(schedule), analyticFirstStep: schedule.analyticFirstStep,
    historySize: historySize + 1, maxIntermediate, needsNoise, needsData,
  };
}

/** One model evaluation, in both parameterizations the schedule needs. */
interface EvalRecord {
  eps: Float64Array;
  x0: Float64Array;
}

/**
 * out = a x + sum_k c_k f_k elementwise. Safe in place (out === x) because every element only
 * reads its own index. Unrolled for the common term counts so each update is one pass.
 */
export function combineInto(out: Float64Array, a: number, x: Float64Array, coefs: number[], fs: Float64Array[]): void {
  const n = out.length;
  switch (fs.length) {
    case 1: {
      const [c0] = coefs, [f0] = fs;
      for (let j = 0; j < n; j++) out[j] = a * x[j] + c0 * f0[j];
      return;
    }
    case 2: {
      const [c0, c1] = coefs, [f0, f1] = fs;
      for (let j = 0; j < n; j++) out[j] = a * x[j] + c0 * f0[j] + c1 * f1[j];
      return;
    }
    case 3: {
      const [c0, c1, c2] = coefs, [f0, f1, f2] = fs;
      for (let j = 0; j < n; j++) out[j] = a * x[j] + c0 * f0[j] + c1 * f1[j] + c2 * f2[j];
      return;
    }
    case 4: {
      const [c0, c1, c2, c3] = coefs, [f0, f1, f2, f3] = fs;
      for (let j = 0; j < n; j++) out[j] = a * x[j] + c0 * f0[j] + c1 * f1[j] + c2 * f2[j] + c3 * f3[j];
      return;
    }
    case 5: {
      const [c0, c1, c2, c3, c4] = coefs, [f0, f1, f2, f3, f4] = fs;
      for (let j = 0; j < n; j++) out[j] = a * x[j] + c0 * f0[j] + c1 * f1[j] + c2 * f2[j] + c3 * f3[j] + c4 * f4[j];
      return;
    }
    default: {
      for (let j = 0; j < n; j++) out[j] = a * x[j];
      for (let k = 0; k < fs.length; k++) {
        const c = coefs[k], f = fs[k];
        for (let j = 0; j < n; j++) out[j] += c * f[j];
      }
    }
  }
}

type ModelSpec =
  | { model: Denoiser<Float32Array>; modelInput?: 'float32' }
  | { model: Denoiser<Float64Array>; modelInput: 'float64' };

export type SampleUsfOptions = ModelSpec & {
  /** Initial noise x_T, [batch, dim] row-major. Not modified. */
  xT: FloatArray;
  batch: number;
  dim: number;
  schedule: TSolverSchedule;
  /** Defaults to the schedule's own noise schedule; must match it. */
  noise?: NoiseSchedule;
  /** Reuse a plan from `planUsf` (e.g. when sampling many batches with one schedule). */
  plan?: UsfPlan;
  /** After step i, with x at t (the internal buffer: copy it to keep it). */
  onStep?: (i: number, t: number, x: Float64Array) => void;
};

export interface SampleUsfResult {
  /** The sample at the last timestep t_N (tEnd), float64. */
  x0: Float64Array;
  /** Model calls actually made. */
  nfe: number;
  timesteps: number[];
}

export async function sampleUsf(opts: SampleUsfOptions): Promise<SampleUsfResult> {
  const { batch, dim } = opts;
  const size = batch * dim;
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(dim) || dim < 1) throw new RangeError(`batch and dim must be positive integers, got ${batch} and ${dim}`);
  if (opts.xT.length !== size) throw new RangeError(`xT has ${opts.xT.length} values, expected batch*dim = ${size}`);
  const plan = opts.plan ?? planUsf(opts.schedule, opts.noise);
  const { noise, timesteps, lambdas } = plan;

  const newRecord = (): EvalRecord => ({
    eps: plan.needsNoise ? new Float64Array(size) : new Float64Array(0),
    x0: plan.needsData ? new Float64Array(size) : new Float64Array(0),
  });
  const history = Array.from({ length: plan.historySize }, newRecord);
  const mids = Array.from({ length: plan.maxIntermediate }, newRecord);
  const outer = (index: number) => history[index % plan.historySize];

  let x = Float64Array.from(opts.xT);
  let xNext = new Float64Array(size);
  const stageBuf = new Float64Array(plan.maxIntermediate > 0 ? size : 0);
  const input32 = opts.modelInput === 'float64' ? null : new Float32Array(size);
  let nfe = 0;

  const fill = (rec: EvalRecord, xs: Float64Array, eps: FloatArray, lambda: number): void => {
    if (eps.length !== size) throw new RangeError(`model returned ${eps.length} values, expected batch*dim = ${size}`);
    if (plan.needsNoise) rec.eps.set(eps);
    if (plan.needsData) {
      const logA = logAlphaFromLambda(lambda);
      const invAlpha = Math.exp(-logA), sigmaOverAlpha = Math.exp(-lambda);
      const x0 = rec.x0;
      for (let j = 0; j < size; j++) x0[j] = invAlpha * xs[j] - sigmaOverAlpha * eps[j];
    }
  };

  const evaluate = async (xs: Float64Array, t: number, lambda: number, rec: EvalRecord): Promise<void> => {
    let eps: FloatArray;
    if (opts.modelInput === 'float64') {
      eps = await opts.model(xs, t, batch);
    } else {
      input32!.set(xs);
      eps = await opts.model(input32!, t, batch);
    }
    nfe++;
    fill(rec, xs, eps, lambda);
  };

  const apply = (out: Float64Array, xs: Float64Array, u: PlannedUpdate, start: EvalRecord): void => {
    const pick = (rec: EvalRecord) => (u.prediction === 'noise' ? rec.eps : rec.x0);
    const coefs = [u.startWeight];
    const fs = [pick(start)];
    for (const term of u.terms) {
      coefs.push(term.weight);
      fs.push(pick(term.point.kind === 'outer' ? outer(term.point.index) : mids[term.point.index]));
    }
    combineInto(out, u.xCoef, xs, coefs, fs);
  };

  // Evaluation at t_0: the model, or the exact eps of standardized data N(0, I), eps = sigma x.
  if (plan.analyticFirstStep) {
    const lambda = lambdas[0];
    const sigma = Math.exp(logAlphaFromLambda(lambda) - lambda);
    const eps = new Float64Array(size);
    for (let j = 0; j < size; j++) eps[j] = sigma * x[j];
    fill(outer(0), x, eps, lambda);
  } else {
    await evaluate(x, timesteps[0], lambdas[0], outer(0));
  }

  const n = plan.steps.length;
  for (let i = 0; i < n; i++) {
    const step = plan.steps[i];
    const start = outer(i);
    for (let j = 0; j < step.stages.length; j++) {
      const stage = step.stages[j];
      apply(stageBuf, x, stage.update, start);
      await evaluate(stageBuf, stage.t, stage.lambda, mids[j]);
    }
    apply(xNext, x, step.final, start);
    if (step.corrector) {
      // Evaluate at the predicted point (step i+1 reuses this evaluation), then correct x in place.
      await evaluate(xNext, timesteps[i + 1], lambdas[i + 1], outer(i + 1));
      apply(x, x, step.corrector, start);
    } else {
      [x, xNext] = [xNext, x];
      if (i + 1 < n) await evaluate(x, timesteps[i + 1], lambdas[i + 1], outer(i + 1));
    }
    opts.onStep?.(i, timesteps[i + 1], x);
  }
  if (nfe !== plan.nfe) throw new Error(`internal: made ${nfe} model calls but the schedule's NFE is ${plan.nfe}`);
  return { x0: x, nfe, timesteps: [...timesteps] };
}
