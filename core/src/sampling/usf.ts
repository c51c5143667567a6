import { updateCoefficients, type NodeInfo } from './coefficients';
import type { Denoiser, FloatArray } from './denoiser';
import { runFusedPass } from './fused-pass';
import { acquireArena, KernelArena, releaseArena, type ArenaPass } from './wasm/pass-kernels';
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
 * in `planUsf`; sampling is then model calls plus, between two calls, one fused pass over the
 * batch (see "Execution" below).
 *
 * State and model outputs are kept in Float64Array: multistep weights grow like 1/r and multiply
 * differences of nearly equal evaluations, and the state accumulates hundreds of small increments,
 * so float32 buffers would put a 1e-7 floor under the solver error and hide its convergence order.
 * The model still receives float32 input by default (written by the same pass that updates the
 * state), which is what ONNX wants; float64 models (analytic references) get the float64 state
 * directly.
 *
 * `state: 'float32'` is the production mode for float32 models: the same compiled program run by
 * WebAssembly SIMD kernels over float32 buffers (wasm/pass-kernels.ts), with the state buffer
 * itself as the model input and the model writing eps straight into the kernels' memory. At
 * gmm-cifar size (batch 64 x 3072) with a free model, a step takes 0.1 ms (DPM-Solver++(2M),
 * DPM-Solver-3) to 0.26 ms (UniPC, whose corrector and next predictor run as one pair kernel)
 * against 0.54 and 2 ms for the float64 loops. The kernels' float64 arithmetic costs about 2x
 * over float32 arithmetic there, for float32 rounding that no longer grows with the size of the
 * coefficients (kernels-wat.ts).
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
  /**
   * Reuse a plan from `planUsf` (e.g. when sampling many batches with one schedule). The plan also
   * keeps the sampler's scratch buffers between runs, so repeated runs allocate nothing but `x0`.
   */
  plan?: UsfPlan;
  /** Write the sample here (length batch*dim) instead of a new array; it is returned as `x0`. */
  out?: Float64Array;
  /** After step i, with x at t (the internal buffer: copy it to keep it). */
  onStep?: (i: number, t: number, x: FloatArray) => void;
  /**
   * Precision of the solver state between model calls. `float64` (default): JavaScript passes
   * over float64 buffers, exact enough for convergence-order tests against float64 models.
   * `float32`: WebAssembly SIMD passes over float32 buffers, ~10x faster per pass and the state
   * is the model input itself. The kernels compute in float64 and round once per pass, so the
   * state's float32 storage is the only difference. For float32 (ONNX) models, samples differ from
   * float64 state by max |diff| / max |x| of at most 1e-4 from NFE 10 on, 2e-4 below NFE 10 with
   * logSNR spacing, and 2e-3 below NFE 10 with the other spacings, for every preset (measured
   * on gmm-64d and its analytic twin, NFE 5-20: typically 1e-6 to 1e-5; at most 9.6e-5, 1.1e-4
   * and 1.1e-3, the last singlestep DPM-Solver-3 on a karras grid at NFE 5). Coarse grids are
   * that sensitive to any rounding: the float32 model's own output rounding moves a float64-state
   * sample by as much (pass-kernels.test.ts checks both). Ignored for float64 models. The
   * workers sample with float32; references and convergence tests keep float64.
   */
  state?: 'float64' | 'float32';
};

export interface SampleUsfResult {
  /** The sample at the last timestep t_N (tEnd), float64. */
  x0: Float64Array;
  /** Model calls actually made. */
  nfe: number;
  timesteps: number[];
}


/*
 * Execution. sampleUsf does not walk the plan step by step; it runs a flat program compiled from
 * it once (cached per plan): a list of passes, each one fused loop (fused-pass.ts) that
 *   1. ingests the model evaluation just made (stores eps and/or x0 = (x - sigma eps)/alpha, but
 *      only the forms some later update reads: DDIM stores nothing, DPM-Solver++(2M) only x0),
 *   2. applies the update that follows it, with that evaluation's contribution folded into the
 *      coefficients of eps and of x (x0 is linear in both), and
 *   3. writes the next model input as float32 in the same loop.
 * So a multistep step costs one pass over the batch, and the float64 state (see the top of the
 * file for why float64) costs no separate conversion pass. Buffers are roles resolved at run time:
 * 'init' is x_T (read, never written), 'x' the state, 'next' the predictor output a corrector
 * revises, 'stage' intermediate points, 'result' the returned sample.
 */

type BufRole = 'init' | 'x' | 'next' | 'stage' | 'result';
type Form = 'eps' | 'x0';

interface CompiledTerm {
  form: Form;
  /** Index into the workspace's record buffers of that form. */
  buf: number;
  weight: number;
}

interface CompiledPass {
  /** The evaluation made just before this pass (at buffer `at`), or null. */
  fresh: { at: BufRole; ia: number; so: number; storeEps: number; storeX0: number } | null;
  base: BufRole;
  out: BufRole;
  /** out = a base + b eps + c at + sum terms. */
  a: number;
  b: number;
  c: number;
  terms: CompiledTerm[];
  /** The model call at `out` that follows this pass. */
  evalAfter: { t: number; lambda: number } | null;
  /** This pass completes step i (onStep). */
  stepDone: number | null;
}

interface Program {
  passes: CompiledPass[];
  /** Record buffers per form: as many as are alive at once (2 for DPM-Solver++(2M), 0 for DDIM). */
  epsBuffers: number;
  x0Buffers: number;
  usesNext: boolean;
  usesStage: boolean;
  modelCalls: number;
}

/** A term before buffer assignment: it reads evaluation `id`. */
interface PendingTerm {
  id: number;
  form: Form;
  weight: number;
}

function compileProgram(plan: UsfPlan): Program {
  // Evaluations get sequential ids; an update names them by outer index or intermediate index.
  const outerId: number[] = [];
  let midId: number[] = [];
  const evals: Array<{ stored: Record<Form, boolean>; lastRead: Record<Form, number> }> = [];
  const passes: CompiledPass[] = [];
  const freshIds: Array<number | null> = [];
  const pendingTerms: PendingTerm[][] = [];
  let modelCalls = 0;
  let pending: { id: number; at: BufRole; lambda: number } | null = null;

  const evaluate = (at: BufRole, t: number, lambda: number, model: boolean): number => {
    const id = evals.length;
    evals.push({ stored: { eps: false, x0: false }, lastRead: { eps: -1, x0: -1 } });
    pending = { id, at, lambda };
    if (model) {
      modelCalls++;
      if (passes.length > 0) passes[passes.length - 1].evalAfter = { t, lambda };
    }
    return id;
  };

  const pass = (u: PlannedUpdate, base: BufRole, out: BufRole, startId: number): CompiledPass => {
    const fresh = pending;
    pending = null;
    const ia = fresh ? Math.exp(-logAlphaFromLambda(fresh.lambda)) : 0;
    const so = fresh ? Math.exp(-fresh.lambda) : 0;
    const p: CompiledPass = {
      fresh: fresh && { at: fresh.at, ia, so, storeEps: -1, storeX0: -1 },
      base, out, a: u.xCoef, b: 0, c: 0, terms: [], evalAfter: null, stepDone: null,
    };
    const form: Form = u.prediction === 'noise' ? 'eps' : 'x0';
    const refs: Array<[number, number]> = [[startId, u.startWeight]];
    for (const term of u.terms) refs.push([term.point.kind === 'outer' ? outerId[term.point.index] : midId[term.point.index], term.weight]);
    const terms: PendingTerm[] = [];
    for (const [id, w] of refs) {
      if (id === undefined) throw new Error('internal: an update reads an evaluation that was never made');
      if (fresh && id === fresh.id) {
        // Used straight from the model output: eps itself, or x0 = ia at - so eps.
        if (form === 'eps') p.b += w;
        else {
          p.b -= w * so;
          p.c += w * ia;
        }
      } else {
        evals[id].stored[form] = true;
        evals[id].lastRead[form] = passes.length;
        terms.push({ id, form, weight: w });
      }
    }
    if (fresh && fresh.at === base) {
      p.a += p.c;
      p.c = 0;
    }
    passes.push(p);
    freshIds.push(fresh ? fresh.id : null);
    pendingTerms.push(terms);
    return p;
  };

  const n = plan.steps.length;
  outerId[0] = evaluate('init', plan.timesteps[0], plan.lambdas[0], !plan.analyticFirstStep);
  let cur: BufRole = 'init';
  for (let i = 0; i < n; i++) {
    const step = plan.steps[i];
    midId = [];
    step.stages.forEach((stage, j) => {
      pass(stage.update, cur, 'stage', outerId[i]);
      midId[j] = evaluate('stage', stage.t, stage.lambda, true);
    });
    const last = i === n - 1;
    if (step.corrector) {
      // Predict into 'next', evaluate there (step i+1 reuses it), then correct x from x_i.
      pass(step.final, cur, 'next', outerId[i]);
      outerId[i + 1] = evaluate('next', plan.timesteps[i + 1], plan.lambdas[i + 1], true);
      pass(step.corrector, cur, 'x', outerId[i]).stepDone = i;
    } else {
      pass(step.final, cur, last ? 'result' : 'x', outerId[i]).stepDone = i;
      if (!last) outerId[i + 1] = evaluate('x', plan.timesteps[i + 1], plan.lambdas[i + 1], true);
    }
    cur = 'x';
  }

  // Record buffers, assigned like registers: a stored evaluation takes a free buffer of its form
  // in the pass that ingests it, and frees it after the pass that reads it last. Freed buffers
  // only become reusable from the next pass on, so no pass writes a buffer it also reads. Few
  // buffers means a small working set: the passes are memory-bound.
  const counts: Record<Form, number> = { eps: 0, x0: 0 };
  const free: Record<Form, number[]> = { eps: [], x0: [] };
  const bufOf = new Map<string, number>();
  passes.forEach((p, k) => {
    const id = freshIds[k];
    if (p.fresh && id !== null) {
      for (const form of ['eps', 'x0'] as const) {
        if (!evals[id].stored[form]) continue;
        const buf = free[form].pop() ?? counts[form]++;
        bufOf.set(`${form}${id}`, buf);
        if (form === 'eps') p.fresh.storeEps = buf;
        else p.fresh.storeX0 = buf;
      }
    }
    p.terms = pendingTerms[k].map((t) => ({ form: t.form, buf: bufOf.get(`${t.form}${t.id}`)!, weight: t.weight }));
    for (const t of pendingTerms[k]) if (evals[t.id].lastRead[t.form] === k) free[t.form].push(bufOf.get(`${t.form}${t.id}`)!);
  });

  return {
    passes, modelCalls, epsBuffers: counts.eps, x0Buffers: counts.x0,
    usesNext: passes.some((p) => p.out === 'next'),
    usesStage: passes.some((p) => p.out === 'stage'),
  };
}

/** Scratch buffers for one run; pooled per plan and batch size. */
interface Workspace {
  size: number;
  x: Float64Array;
  next: Float64Array;
  stage: Float64Array;
  input32: Float32Array | null;
  analyticEps: Float64Array | null;
  eps: Float64Array[];
  x0: Float64Array[];
}

/** The float32 workspace: every buffer in one WebAssembly arena, passes compiled to closures. */
interface Workspace32 {
  arena: KernelArena;
  /** Arena buffer of each role; init, x and result share one (see workspace32). */
  role: Record<BufRole, number>;
  /** The latest evaluation: the model writes it here (Denoiser's `out`), or it is copied in. */
  eps: number;
  passes: Array<() => void>;
}

interface PlanRuntime {
  program: Program;
  free: Workspace[];
}

const EMPTY = new Float64Array(0);
/** Workspaces kept per plan: enough for a couple of concurrent runs, bounded memory. */
const MAX_POOLED = 2;
const runtimes = new WeakMap<UsfPlan, PlanRuntime>();

function runtimeFor(plan: UsfPlan): PlanRuntime {
  let rt = runtimes.get(plan);
  if (!rt) {
    rt = { program: compileProgram(plan), free: [] };
    runtimes.set(plan, rt);
  }
  return rt;
}

function acquireWorkspace(rt: PlanRuntime, size: number): Workspace {
  const i = rt.free.findIndex((w) => w.size === size);
  if (i >= 0) return rt.free.splice(i, 1)[0];
  const { program } = rt;
  const buf = (needed: boolean) => (needed ? new Float64Array(size) : EMPTY);
  return {
    size,
    x: new Float64Array(size),
    next: buf(program.usesNext),
    stage: buf(program.usesStage),
    input32: null,
    analyticEps: null,
    eps: Array.from({ length: program.epsBuffers }, () => new Float64Array(size)),
    x0: Array.from({ length: program.x0Buffers }, () => new Float64Array(size)),
  };
}

function releaseWorkspace(rt: PlanRuntime, ws: Workspace): void {
  if (rt.free.length < MAX_POOLED) rt.free.push(ws);
}

function arenaBuffers(program: Program): number {
  return 2 + (program.usesNext ? 1 : 0) + (program.usesStage ? 1 : 0) + program.epsBuffers + program.x0Buffers;
}

/**
 * Lays the program out on an arena from the pool. Buffers: x (also x_T, copied in, and the
 * result, copied out: every pass that reads `init` runs before the first write of `x`, and
 * nothing reads `result`), the latest evaluation, next and stage when used, then the records.
 * Compiling the passes to closures costs microseconds, so it is done per run and the arena
 * itself can serve any plan of the same shape.
 */
function workspace32(program: Program, size: number): Workspace32 {
  let next = 0;
  const X = next++, E = next++;
  const NEXT = program.usesNext ? next++ : -1;
  const STAGE = program.usesStage ? next++ : -1;
  const epsRec = Array.from({ length: program.epsBuffers }, () => next++);
  const x0Rec = Array.from({ length: program.x0Buffers }, () => next++);
  const arena = acquireArena(size, next);
  const role: Record<BufRole, number> = { init: X, x: X, result: X, next: NEXT, stage: STAGE };
  const specs = program.passes.map((p): ArenaPass => {
    const f = p.fresh;
    return {
      out: role[p.out], x: role[p.base], a: p.a,
      eps: f ? E : -1, xs: f ? role[f.at] : role[p.base], b: p.b, c: p.c,
      ia: f ? f.ia : 0, so: f ? f.so : 0,
      storeEps: f && f.storeEps >= 0 ? epsRec[f.storeEps] : -1,
      storeX0: f && f.storeX0 >= 0 ? x0Rec[f.storeX0] : -1,
      terms: p.terms.map((t) => ({ buf: (t.form === 'eps' ? epsRec : x0Rec)[t.buf], weight: t.weight })),
    };
  });
  // Two passes with no model call between (a corrector, then the next step's predictor) run as
  // one pair kernel, one sweep over the batch; the second's slot is then empty.
  const passes: Array<() => void> = [];
  for (let k = 0; k < specs.length; k++) {
    const pair = !program.passes[k].evalAfter && k + 1 < specs.length ? arena.compilePair(specs[k], specs[k + 1]) : null;
    if (pair) passes.push(pair, NOTHING), k++;
    else passes.push(arena.compile(specs[k]));
  }
  return { arena, role, eps: E, passes };
}

const NOTHING = () => {};

/** sampleUsf with `state: 'float32'`: the same program, run by the WebAssembly kernels. */
async function sampleFloat32(opts: SampleUsfOptions & { model: Denoiser<Float32Array> }, plan: UsfPlan, rt: PlanRuntime): Promise<SampleUsfResult> {
  const { batch, dim } = opts;
  const size = batch * dim;
  const ws = workspace32(rt.program, size);
  try {
    const views = ws.arena.views;
    const E = views[ws.eps];
    const X = views[ws.role.x];
    X.set(opts.xT);
    let nfe = 0;
    const callModel = async (buf: number, t: number): Promise<void> => {
      const eps = await opts.model(views[buf], t, batch, E);
      nfe++;
      if (eps.length !== size) throw new RangeError(`model returned ${eps.length} values, expected batch*dim = ${size}`);
      if (eps !== E) E.set(eps);
    };
    if (plan.analyticFirstStep) {
      const lambda = plan.lambdas[0];
      ws.arena.scale(ws.eps, ws.role.init, Math.exp(logAlphaFromLambda(lambda) - lambda));
    } else {
      await callModel(ws.role.init, plan.timesteps[0]);
    }
    const { passes } = rt.program;
    for (let k = 0; k < passes.length; k++) {
      const p = passes[k];
      ws.passes[k]();
      if (p.evalAfter) await callModel(ws.role[p.out], p.evalAfter.t);
      if (p.stepDone !== null) opts.onStep?.(p.stepDone, plan.timesteps[p.stepDone + 1], views[ws.role[p.out]]);
    }
    if (nfe !== plan.nfe) throw new Error(`internal: made ${nfe} model calls but the schedule's NFE is ${plan.nfe}`);
    const result = opts.out ?? new Float64Array(size);
    result.set(X);
    return { x0: result, nfe, timesteps: [...plan.timesteps] };
  } finally {
    releaseArena(ws.arena);
  }
}

export async function sampleUsf(opts: SampleUsfOptions): Promise<SampleUsfResult> {
  const { batch, dim } = opts;
  const size = batch * dim;
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(dim) || dim < 1) throw new RangeError(`batch and dim must be positive integers, got ${batch} and ${dim}`);
  if (opts.xT.length !== size) throw new RangeError(`xT has ${opts.xT.length} values, expected batch*dim = ${size}`);
  if (opts.out && opts.out.length !== size) throw new RangeError(`out has ${opts.out.length} values, expected batch*dim = ${size}`);
  const plan = opts.plan ?? planUsf(opts.schedule, opts.noise);
  const rt = runtimeFor(plan);
  const { program } = rt;
  if (program.modelCalls !== plan.nfe) throw new Error(`internal: the program makes ${program.modelCalls} model calls but the schedule's NFE is ${plan.nfe}`);
  const float32 = opts.modelInput !== 'float64';
  if (opts.state === 'float32' && opts.modelInput !== 'float64' && KernelArena.fits(size, arenaBuffers(program))) return sampleFloat32(opts, plan, rt);

  const ws = acquireWorkspace(rt, size);
  try {
    // Every pass also writes a float32 copy of its output, the next model input. Float64 models
    // do not read it, but writing it anyway keeps them on the same fast loops as ONNX models (the
    // exact identity tests run float64 models) at the cost of a dead 4-byte store per value.
    ws.input32 ??= new Float32Array(size);
    const result = opts.out ?? new Float64Array(size);
    // x_T is only read, so a float64 x_T is used in place; a float32 one is widened once.
    const init = opts.xT instanceof Float64Array ? opts.xT : (ws.x.set(opts.xT), ws.x);
    const bufs: Record<BufRole, Float64Array> = { init, x: ws.x, next: ws.next, stage: ws.stage, result };
    let nfe = 0;

    const callModel = async (at: Float64Array, t: number): Promise<FloatArray> => {
      const eps = opts.modelInput === 'float64' ? await opts.model(at, t, batch) : await opts.model(ws.input32!, t, batch);
      nfe++;
      if (eps.length !== size) throw new RangeError(`model returned ${eps.length} values, expected batch*dim = ${size}`);
      return eps;
    };

    // Evaluation at t_0: the model, or the exact eps of standardized data N(0, I), eps = sigma x.
    let eps: FloatArray;
    if (plan.analyticFirstStep) {
      const lambda = plan.lambdas[0];
      const sigma = Math.exp(logAlphaFromLambda(lambda) - lambda);
      const e = (ws.analyticEps ??= new Float64Array(size));
      for (let j = 0; j < size; j++) e[j] = sigma * init[j];
      eps = e;
    } else {
      if (float32) ws.input32!.set(init);
      eps = await callModel(init, plan.timesteps[0]);
    }

    for (const p of program.passes) {
      const f = p.fresh;
      runFusedPass({
        n: size,
        out: bufs[p.out],
        x: bufs[p.base],
        a: p.a,
        eps: f ? eps : null,
        xs: f ? bufs[f.at] : bufs[p.base],
        b: p.b,
        c: p.c,
        ia: f ? f.ia : 0,
        so: f ? f.so : 0,
        storeEps: f && f.storeEps >= 0 ? ws.eps[f.storeEps] : null,
        storeX0: f && f.storeX0 >= 0 ? ws.x0[f.storeX0] : null,
        fs: p.terms.map((term) => (term.form === 'eps' ? ws.eps : ws.x0)[term.buf]),
        ws: p.terms.map((term) => term.weight),
        input32: ws.input32!,
      });
      if (p.evalAfter) eps = await callModel(bufs[p.out], p.evalAfter.t);
      if (p.stepDone !== null) opts.onStep?.(p.stepDone, plan.timesteps[p.stepDone + 1], bufs[p.out]);
    }
    if (nfe !== plan.nfe) throw new Error(`internal: made ${nfe} model calls but the schedule's NFE is ${plan.nfe}`);
    return { x0: result, nfe, timesteps: [...plan.timesteps] };
  } finally {
    releaseWorkspace(rt, ws);
  }
}
