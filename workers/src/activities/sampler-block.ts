import { Context } from '@temporalio/activity';
import {
  buildPresetSchedule, fitCascadeRegression, frechetDistance, gaussianFitStat, gmmLogDensity, isStatisticalPreset, planDpmSolverV3, planUsf, predictDcRatios,
  sampleDcSolver, sampleDpmSolverV3, sampleUsf, scheduleEndProblem, statsOf, studyEndTime,
  ZSolverSchedule, type Denoiser, type DpmSolverV3Plan, type FloatArray, type UsfPlan, type GaussianFit, type SamplerBlockInput, type SamplerBlockOutcome,
  type PresetName, type StatisticalPresetName, type TSamplerObjective, type TSolverSchedule,
} from '@stepwise/core';
import { ZSolverCalibration } from '@stepwise/core/config/objectives';
import { SolverStatisticsCache, type StatisticsModel } from '../models/solver-statistics';
import { endpointErrors } from './endpoint-stats';
import { checkedDenoiser, ComputeError, firstNonFinite } from '../models/errors';
import { initialNoiseBatch, ReferenceCache } from '../models/reference';
import type { OpenedModel } from '../models/open';
import { openModelByName } from '../models/resolve';
import type { Testbed } from '../models/testbeds';
import { ModelContractError } from '../models/registry';
import { conditionalDenoiser } from '../models/conditional';
import { openFeatureModel, type FeatureModel } from '../models/feature-model';
import { digitsHeldOut, ensureLearnedModel, isLearnedModel } from '../models/learned';
import { invalidInput, limitExceeded, toActivityFailure } from './failures';
import { DEFAULT_MAX_SAMPLES_PER_ACTIVITY } from '../config';

/**
 * Evaluates one block of a sampler trial: samples start..end-1 of the seed, solved with the
 * trial's solver, scored per sample, returned as mergeable statistics (never sample arrays).
 * The same (seed, index) gives the same x_T on every worker: common random numbers.
 */

export interface SamplerActivityDeps {
  identity: string;
  modelDir: string;
  device: string;
  /** Rows per onnxruntime call. */
  maxBatch?: number;
  /** Most samples one block may ask for (STEPWISE_MAX_SAMPLES_PER_ACTIVITY; default 65536). */
  maxSamplesPerActivity?: number;
  /** Disk budget of the reference-solution cache in bytes (STEPWISE_REFERENCE_CACHE_MB; default 512 MiB). */
  referenceCacheBytes?: number;
}

export type Opened = OpenedModel & { testbed?: Testbed };

/** Samples one block with the trial's solver and the given model (the plain one, or a checked one). */
export type Solve = (denoiser: Denoiser<Float32Array>) => Promise<{ x0: Float64Array; nfe: number }>;

/**
 * Per-sample metric values of a solver configuration on samples start..end-1 of a seed. Pure
 * computation over the model runtime (no Temporal): the activity, benchmarks and tests share it.
 */
/**
 * Plans per (schedule, model), kept across blocks: every block of a trial has the same schedule,
 * and a plan carries its compiled pass program, so a block does not redo either.
 */
const PLAN_CACHE_SIZE = 64;
const plans = new Map<string, UsfPlan>();
function cachedPlan(schedule: TSolverSchedule, model: Opened): UsfPlan {
  const key = `${model.info.sha256}|${JSON.stringify(schedule)}`;
  let plan = plans.get(key);
  if (plan) {
    plans.delete(key); // re-insert: most recently used last
  } else {
    plan = planUsf(schedule, model.noise);
    if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
  }
  plans.set(key, plan);
  return plan;
}

/** The statistics cache of the statistics-based presets and their v3 plans, per worker process (or CLI run). */
export interface StatisticsContext {
  statistics: SolverStatisticsCache;
  v3Plans: Map<string, DpmSolverV3Plan>;
}

const V3_PLAN_CACHE_SIZE = 16;

export function createStatisticsContext(modelDir: string, references: ReferenceCache): StatisticsContext {
  return { statistics: new SolverStatisticsCache({ modelDir, references }), v3Plans: new Map() };
}

/**
 * The solve of a block by dpm-solver-v3 or dc-solver: their statistics from the worker's cache
 * (computed on first use from calibration samples of `calibration.seed`: minutes on a large
 * model, so the activity heartbeats throughout, also while it waits on another block's
 * computation), then the solver's own path with float32 state (one WebAssembly pass per step, as
 * the USF presets run).
 */
export async function statisticalSolver(
  context: StatisticsContext, preset: StatisticalPresetName, objective: TSamplerObjective, model: Opened, xT: Float64Array, batch: number, progress: (phase: string) => void,
): Promise<Solve> {
  const { statistics, v3Plans } = context;
  const cal = objective.calibration ?? ZSolverCalibration.parse({});
  const tEnd = studyEndTime(objective, model.info.schedule);
  const conditional = model.info.conditional;
  // A guided model is another model: its statistics are keyed by guidance and label too.
  const variant = conditional ? `g${objective.guidance}-l${objective.label ?? 'all'}` : undefined;
  const statModel = (rows: number): StatisticsModel => {
    const d = conditional ? conditionalDenoiser(model, objective, 0, rows).denoiser : model.denoiser;
    const beating: Denoiser<Float32Array> = (x, t, b, out) => { progress('calibrate'); return d(x, t, b, out); };
    // A conditional denoiser is built for one batch size: the calibration runs as one batch.
    return { ...model.reference, denoiser: beating, maxBatch: conditional ? rows : model.reference.maxBatch };
  };
  const timer = setInterval(() => progress('calibrate'), 2000);
  const { spacing, rho, nfe } = objective;
  try {
    if (preset === 'dpm-solver-v3') {
      const o = { steps: cal.emsGrid, samples: cal.emsSamples, seed: cal.seed, tEnd, variant };
      const ems = await statistics.ems(statModel(cal.emsSamples), o);
      const key = `${model.info.sha256}|${JSON.stringify(o)}|${nfe}|${spacing}|${rho}`;
      let plan = v3Plans.get(key);
      if (!plan) {
        try {
          plan = planDpmSolverV3(ems, { nfe, spacing, rho }, model.noise);
        } catch (err) {
          throw new InvalidSamplerInput(`objective.nfe: ${(err as Error).message} (objective.calibration.emsGrid)`);
        }
        if (v3Plans.size >= V3_PLAN_CACHE_SIZE) v3Plans.delete(v3Plans.keys().next().value!);
        v3Plans.set(key, plan);
      }
      const p = plan;
      return (d) => sampleDpmSolverV3({ model: d, xT, batch, dim: model.info.dim, plan: p, state: 'float32' });
    }
    const fitAt = (n: number) => statistics.dcRatios(statModel(cal.dcSamples), { nfe: n, spacing, rho, samples: cal.dcSamples, seed: cal.seed, tEnd, variant });
    let ratios: number[];
    if (cal.dcFitNfes && !cal.dcFitNfes.includes(nfe)) {
      // Ratios for an NFE that was not fitted: the cascade polynomial regression over the fitted ones.
      const fits: Array<{ nfe: number; ratios: number[] }> = [];
      for (const n of cal.dcFitNfes) fits.push({ nfe: n, ratios: await fitAt(n) });
      ratios = predictDcRatios(fitCascadeRegression(fits), nfe);
    } else {
      ratios = await fitAt(nfe);
    }
    return (d) => sampleDcSolver({ model: d, xT, batch, dim: model.info.dim, noise: model.noise, nfe, spacing, rho, tEnd, ratios, state: 'float32' });
  } finally {
    clearInterval(timer);
  }
}

export function createSamplerEvaluator(deps: Omit<SamplerActivityDeps, 'identity' | 'maxSamplesPerActivity'>) {
  const models = new Map<string, Promise<Opened>>();
  const references = new ReferenceCache({ modelDir: deps.modelDir, diskMaxBytes: deps.referenceCacheBytes });

  // Initial noise per (seed, range): every trial of a study draws the same blocks (common random
  // numbers), and generating them costs more than sampling a low-NFE schedule. sampleUsf only
  // reads x_T. Least recently used blocks go once the budget is spent.
  const noise = new Map<string, Float64Array>();
  let noiseBytes = 0;
  const NOISE_BUDGET_BYTES = 128 * 2 ** 20;
  function noiseBlock(seed: number, start: number, end: number, dim: number): Float64Array {
    const key = `${seed}:${start}:${end}:${dim}`;
    const hit = noise.get(key);
    if (hit) {
      noise.delete(key);
      noise.set(key, hit);
      return hit;
    }
    const block = initialNoiseBatch(seed, start, end, dim);
    if (block.byteLength > NOISE_BUDGET_BYTES) return block;
    noise.set(key, block);
    noiseBytes += block.byteLength;
    for (const [k, v] of noise) {
      if (noiseBytes <= NOISE_BUDGET_BYTES) break;
      noise.delete(k);
      noiseBytes -= v.byteLength;
    }
    return block;
  }

  function open(name: string): Promise<Opened> {
    let p = models.get(name);
    if (!p) {
      const options = { modelDir: deps.modelDir, device: deps.device, maxBatch: deps.maxBatch, log: (l: string) => console.log(l) };
      p = openModelByName(name, options);
      p.catch(() => models.delete(name));
      models.set(name, p);
    }
    return p;
  }

  const featureModels = new Map<string, Promise<{ model: FeatureModel; reference: GaussianFit | null }>>();
  function openFeatures(name: string) {
    let p = featureModels.get(name);
    if (!p) {
      p = (async () => {
        const rel = isLearnedModel(name) ? await ensureLearnedModel(name, deps.modelDir) : name;
        const model = await openFeatureModel(deps.modelDir, rel);
        // Reference statistics of held-out real data, where the project ships it (digits).
        let reference: GaussianFit | null = null;
        if (name === 'digits-features') {
          const held = await digitsHeldOut();
          const { features } = await model.run(held.x, held.n);
          reference = gaussianFitStat.finalize(gaussianFitStat.add(gaussianFitStat.empty(model.featureDim), features));
        }
        return { model, reference };
      })();
      p.catch(() => featureModels.delete(name));
      featureModels.set(name, p);
    }
    return p;
  }

  const statistics = createStatisticsContext(deps.modelDir, references);

  function scheduleFor(objective: TSamplerObjective, model: Opened): TSolverSchedule {
    if (objective.schedule) {
      // A trial's own schedule (params.schedule) arrives as JSON from the workflow: checked here
      // with the schedule schema too, so a bad one fails non-retryably naming the field.
      const parsed = ZSolverSchedule.safeParse(objective.schedule);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InvalidSamplerInput(`objective.schedule${issue.path.map((k) => `.${String(k)}`).join('')}: ${issue.message}`);
      }
      const schedule = parsed.data;
      if (schedule.noiseSchedule !== model.info.schedule) {
        throw new InvalidSamplerInput(
          `objective.schedule.noiseSchedule is "${schedule.noiseSchedule}" but model ${objective.model} was trained with "${model.info.schedule}"`,
        );
      }
      if (objective.metric === 'rmse') {
        const problem = scheduleEndProblem(schedule, objective);
        if (problem) throw new InvalidSamplerInput(`objective.schedule.timesteps: ${problem}`);
      }
      return schedule;
    }
    return buildPresetSchedule(objective.preset as PresetName, objective.nfe, {
      noiseSchedule: model.info.schedule, spacing: objective.spacing, tEnd: objective.tEnd, rho: objective.rho,
    });
  }

  return async function evaluate(
    objective: TSamplerObjective,
    seed: number,
    start: number,
    end: number,
    progress: (phase: string) => void = () => {},
    opts: { wrongComponent?: boolean } = {},
  ): Promise<SamplerEvaluation> {
    progress('open');
    let model: Opened;
    try {
      model = await open(objective.model);
    } catch (err) {
      if (err instanceof ModelContractError) throw new ComputeError('model', `objective.model: ${err.message} (fix or re-register the model, or name another one)`);
      if (err instanceof RangeError) throw new InvalidSamplerInput(`objective.model: ${err.message}`);
      throw err;
    }
    const dim = model.info.dim;
    const batch = end - start;
    const xT = noiseBlock(seed, start, end, dim);
    let conditional: ReturnType<typeof conditionalDenoiser>;
    try {
      conditional = conditionalDenoiser(model, objective, start, batch);
    } catch (err) {
      throw new InvalidSamplerInput(`objective: ${(err as Error).message}`);
    }
    const { denoiser, labels } = conditional;
    if (labels && objective.metric === 'rmse') throw new InvalidSamplerInput('objective.metric: rmse needs an unconditional model (its reference solution has no labels); use fd_features or class_accuracy');
    let solve: Solve;
    if (!objective.schedule && isStatisticalPreset(objective.preset)) {
      progress('calibrate');
      try {
        solve = await statisticalSolver(statistics, objective.preset, objective, model, xT, batch, progress);
      } catch (err) {
        if (err instanceof ComputeError) throw err;
        // Out-of-range settings the solver paths refuse (an NFE its spacing cannot place, ...).
        if (err instanceof RangeError) throw new InvalidSamplerInput(`objective (${objective.preset}): ${err.message}`);
        throw err;
      }
    } else {
      let schedule: TSolverSchedule;
      let plan: UsfPlan;
      try {
        schedule = scheduleFor(objective, model);
        plan = cachedPlan(schedule, model);
      } catch (err) {
        if (err instanceof InvalidSamplerInput) throw err;
        throw new InvalidSamplerInput(`objective${objective.schedule ? '.schedule' : ''}: ${(err as Error).message}`);
      }
      solve = (d) => sampleUsf({ model: d, xT, batch, dim, schedule, plan, state: 'float32', onStep: () => progress('sample') });
    }
    progress('sample');
    const result = await solve(denoiser);
    if (firstNonFinite(result.x0) >= 0) {
      // NaN/Inf samples: the model's fault (a broken graph: the study cannot go on) or the solver's
      // (this trial's schedule diverged: its value is NaN, the search goes on). Tell which by
      // running the block again with every model output checked, a cost paid only on this path.
      await solve(checkedDenoiser(denoiser, objective.model));
    }
    let values = new Float64Array(batch);
    let endpoint: SamplerEvaluation['endpoint'];
    if (objective.metric === 'class_accuracy' || objective.metric === 'fd_features') {
      if (!objective.featureModel) throw new InvalidSamplerInput(`objective.featureModel: metric ${objective.metric} needs a feature model (e.g. digits-features)`);
      let opened: Awaited<ReturnType<typeof openFeatures>>;
      try {
        opened = await openFeatures(objective.featureModel);
      } catch (err) {
        if (err instanceof ModelContractError) throw new ComputeError('model', `objective.featureModel: ${err.message} (fix or re-register the feature model, or name another one)`);
        throw err;
      }
      const { model: fm, reference } = opened;
      const { features, logits } = await fm.run(Float32Array.from(result.x0), batch);
      if (firstNonFinite(result.x0) < 0 && (firstNonFinite(features) >= 0 || firstNonFinite(logits) >= 0)) {
        throw new ComputeError('model', `objective.featureModel: feature model ${objective.featureModel} outputs NaN/Inf for finite samples: fix the model and re-register it`);
      }
      if (objective.metric === 'class_accuracy') {
        if (!labels) throw new InvalidSamplerInput('objective.guidance: class_accuracy needs labelled samples: a class-conditional model with guidance >= 1');
        for (let i = 0; i < batch; i++) {
          let arg = 0;
          for (let c = 1; c < fm.classes; c++) if (logits[i * fm.classes + c] > logits[i * fm.classes + arg]) arg = c;
          values[i] = arg === labels[i] ? 1 : 0;
        }
      } else {
        if (!reference) throw new InvalidSamplerInput(`objective.featureModel: no held-out reference data ships with ${objective.featureModel}`);
        const setSize = objective.estimation.blockSize;
        if (batch % setSize !== 0) throw new InvalidSamplerInput(`fd_features is computed per set of estimation.blockSize (${setSize}) samples; got a block of ${batch}`);
        values = new Float64Array(batch / setSize);
        const F = fm.featureDim;
        for (let k = 0; k < values.length; k++) {
          const fit = gaussianFitStat.finalize(gaussianFitStat.add(gaussianFitStat.empty(F), features.subarray(k * setSize * F, (k + 1) * setSize * F)));
          values[k] = frechetDistance(fit.mean, fit.covariance, reference.mean, reference.covariance, F);
        }
      }
    } else if (objective.metric === 'rmse') {
      progress('reference');
      // The reference endpoint is at the study's one end time, never at this schedule's own last
      // timestep (a search could otherwise lower RMSE by stopping earlier); scheduleFor refused a
      // schedule ending elsewhere, and presets are built to end there.
      const tEnd = studyEndTime(objective, model.info.schedule);
      const ref = await references.get(model.reference, { seed, start, end, tEnd });
      // The wrong-component count costs O(batch K dim), more than sampling a low-NFE block: skipped when not asked for.
      const errors = endpointErrors(result.x0, ref, batch, dim, opts.wrongComponent === false ? undefined : model.testbed?.gmm);
      values = errors.values;
      endpoint = { sumMse: errors.sumMse, ...(errors.wrongComponent !== undefined ? { wrongComponent: errors.wrongComponent } : {}) };
    } else {
      if (!model.testbed) throw new InvalidSamplerInput(`objective.metric "nll" needs an analytic model (a built-in testbed); ${objective.model} is not one`);
      const logp = gmmLogDensity(model.testbed.gmm, model.noise, result.x0, 0);
      for (let i = 0; i < batch; i++) values[i] = -logp[i];
    }
    return { values, nfe: result.nfe, ...(endpoint ? { endpoint } : {}) };
  };
}

export interface SamplerEvaluation {
  /** Per-sample metric values (per set for set metrics), sample order. */
  values: Float64Array;
  nfe: number;
  /** rmse only: sums for the pooled RMSE and the wrong-component count (see endpoint-stats.ts). */
  endpoint?: { sumMse: number; wrongComponent?: number };
}

/** Bad input (schedule, metric, labels): retrying cannot help. */
export class InvalidSamplerInput extends ComputeError {
  override name = 'InvalidSamplerInput';
  constructor(message: string) {
    super('input', message);
  }
}

/**
 * The evaluateSamplerBlock activity. Deterministic failures (a broken model, an invalid request, a
 * block over the worker's sample cap) are non-retryable ApplicationFailures typed from
 * NON_RETRYABLE_COMPUTE_ERRORS; other errors are retried by Temporal.
 */
export function createEvaluateSamplerBlock(deps: SamplerActivityDeps) {
  const evaluate = createSamplerEvaluator(deps);
  const cap = deps.maxSamplesPerActivity ?? DEFAULT_MAX_SAMPLES_PER_ACTIVITY;
  return async function evaluateSamplerBlock(input: SamplerBlockInput): Promise<SamplerBlockOutcome> {
    const ctx = Context.current();
    const started = performance.now();
    const { seed, start, end } = input;
    if (!Number.isSafeInteger(seed)) throw invalidInput(`seed must be an integer, got ${seed}`);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
      throw invalidInput(`start and end must be integers with 0 <= start < end, got ${start}..${end}`);
    }
    if (end - start > cap) {
      throw limitExceeded(
        `a block of ${end - start} samples (${start}..${end - 1}) exceeds this worker's cap of ${cap} samples per activity ` +
          `(STEPWISE_MAX_SAMPLES_PER_ACTIVITY): use smaller blocks (estimation.blockSize) or raise the variable on the compute workers`,
      );
    }
    let out: SamplerEvaluation;
    try {
      out = await evaluate(input.objective, seed, start, end, (phase) => ctx.heartbeat({ phase }), { wrongComponent: input.wrongComponent });
    } catch (err) {
      throw toActivityFailure(err);
    }
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    // Extra sums ride in the stats (stored as the block's JSON; merging reads only n/mean/m2), and
    // the seed stream: a trial block records only sample indices, and two trials' values pair
    // only where both index and seed agree (an s3 study certifies on another seed stream).
    const stats = { ...statsOf(out.values), ...out.endpoint, seed };
    return {
      worker: deps.identity,
      attempt: ctx.info.attempt,
      stats,
      values: input.returnValues ? Array.from(out.values) : undefined,
      nfe: out.nfe,
      seconds: (performance.now() - started) / 1000,
    };
  };
}
