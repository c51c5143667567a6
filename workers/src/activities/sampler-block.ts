import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  buildPresetSchedule, gmmLogDensity, planUsf, sampleUsf, statsOf, type SamplerBlockInput, type SamplerBlockOutcome,
  type TSamplerObjective, type TSolverSchedule,
} from '@stepwise/core';
import { initialNoiseBatch, ReferenceCache } from '../models/reference';
import { openModelFile, openTestbed, type OpenedModel } from '../models/open';
import { TESTBED_NAMES, type Testbed } from '../models/testbeds';
import { ModelContractError } from '../models/registry';

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
}

type Opened = OpenedModel & { testbed?: Testbed };

/**
 * Per-sample metric values of a solver configuration on samples start..end-1 of a seed. Pure
 * computation over the model runtime (no Temporal): the activity, benchmarks and tests share it.
 */
export function createSamplerEvaluator(deps: Omit<SamplerActivityDeps, 'identity'>) {
  const models = new Map<string, Promise<Opened>>();
  const references = new ReferenceCache({ modelDir: deps.modelDir });

  function open(name: string): Promise<Opened> {
    let p = models.get(name);
    if (!p) {
      const options = { modelDir: deps.modelDir, device: deps.device, maxBatch: deps.maxBatch, log: (l: string) => console.log(l) };
      p = (TESTBED_NAMES as readonly string[]).includes(name) ? openTestbed(name, options) : openModelFile(name, options);
      p.catch(() => models.delete(name));
      models.set(name, p);
    }
    return p;
  }

  function scheduleFor(objective: TSamplerObjective, model: Opened): TSolverSchedule {
    if (objective.schedule) {
      if (objective.schedule.noiseSchedule !== model.info.schedule) {
        throw new InvalidSamplerInput(
          `objective.schedule.noiseSchedule is "${objective.schedule.noiseSchedule}" but model ${objective.model} was trained with "${model.info.schedule}"`,
        );
      }
      return objective.schedule;
    }
    return buildPresetSchedule(objective.preset, objective.nfe, {
      noiseSchedule: model.info.schedule, spacing: objective.spacing, tEnd: objective.tEnd, rho: objective.rho,
    });
  }

  return async function evaluate(
    objective: TSamplerObjective,
    seed: number,
    start: number,
    end: number,
    progress: (phase: string) => void = () => {},
  ): Promise<{ values: Float64Array; nfe: number }> {
    progress('open');
    let model: Opened;
    try {
      model = await open(objective.model);
    } catch (err) {
      if (err instanceof ModelContractError || err instanceof RangeError) throw new InvalidSamplerInput(`objective.model: ${(err as Error).message}`);
      throw err;
    }
    let schedule: TSolverSchedule;
    try {
      schedule = scheduleFor(objective, model);
    } catch (err) {
      if (err instanceof InvalidSamplerInput) throw err;
      throw new InvalidSamplerInput(`objective: ${(err as Error).message}`);
    }
    const plan = planUsf(schedule, model.noise);
    const dim = model.info.dim;
    const batch = end - start;
    const xT = initialNoiseBatch(seed, start, end, dim);
    progress('sample');
    const result = await sampleUsf({ model: model.denoiser, xT, batch, dim, schedule, plan, onStep: () => progress('sample') });
    const values = new Float64Array(batch);
    if (objective.metric === 'rmse') {
      progress('reference');
      const tEnd = plan.timesteps[plan.timesteps.length - 1];
      const ref = await references.get(model.reference, { seed, start, end, tEnd });
      for (let i = 0; i < batch; i++) {
        let sq = 0;
        for (let d = 0; d < dim; d++) {
          const diff = result.x0[i * dim + d] - ref[i * dim + d];
          sq += diff * diff;
        }
        values[i] = Math.sqrt(sq / dim);
      }
    } else {
      if (!model.testbed) throw new InvalidSamplerInput(`objective.metric "nll" needs an analytic model (a built-in testbed); ${objective.model} is not one`);
      const logp = gmmLogDensity(model.testbed.gmm, model.noise, result.x0, 0);
      for (let i = 0; i < batch; i++) values[i] = -logp[i];
    }
    return { values, nfe: result.nfe };
  };
}

/** Bad input (model, schedule, metric): retrying cannot help. */
export class InvalidSamplerInput extends Error {
  override name = 'InvalidSamplerInput';
}

export function createEvaluateSamplerBlock(deps: SamplerActivityDeps) {
  const evaluate = createSamplerEvaluator(deps);
  return async function evaluateSamplerBlock(input: SamplerBlockInput): Promise<SamplerBlockOutcome> {
    const ctx = Context.current();
    const started = performance.now();
    let out: { values: Float64Array; nfe: number };
    try {
      out = await evaluate(input.objective, input.seed, input.start, input.end, (phase) => ctx.heartbeat({ phase }));
    } catch (err) {
      if (err instanceof InvalidSamplerInput) throw ApplicationFailure.nonRetryable(err.message, 'InvalidSamplerInput');
      throw err;
    }
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    return {
      worker: deps.identity,
      attempt: ctx.info.attempt,
      stats: statsOf(out.values),
      values: input.returnValues ? Array.from(out.values) : undefined,
      nfe: out.nfe,
      seconds: (performance.now() - started) / 1000,
    };
  };
}
