import type { DescribeModelInput, ModelDescription } from '@stepwise/core';
import { checkedDenoiser, ComputeError } from '../models/errors';
import { conditionalDenoiser } from '../models/conditional';
import type { OpenedModel } from '../models/open';
import { openModelByName } from '../models/resolve';
import { ModelContractError } from '../models/registry';
import { invalidInput, toActivityFailure } from './failures';

/**
 * What a model is, as a compute worker sees it after opening it: the launch API asks this before
 * it writes a study (a missing or broken model is then a launch error with its reason, not a study
 * whose every trial fails), and strategies that need the model's noise schedule or dimension (S^3)
 * read it here. Opening runs the same registry checks as a trial, plus one forward pass on a
 * single contract-shaped input, so a graph that loads but cannot run (or outputs NaN) is caught too.
 */
export function createDescribeModel(deps: { identity: string; modelDir: string; device: string }) {
  return async function describeModel(input: DescribeModelInput): Promise<ModelDescription> {
    if (typeof input?.model !== 'string' || input.model.trim() === '') throw invalidInput('model: give a model name (a built-in testbed or a file in STEPWISE_MODEL_DIR)');
    const options = { modelDir: deps.modelDir, device: deps.device };
    try {
      const model: OpenedModel = await openModelByName(input.model, options);
      const { info } = model;
      const classes = info.conditional ? Number(info.metadata['stepwise.null_label'] ?? '10') : undefined;
      // One sample at mid-trajectory: the run phase fails here rather than in the first trial.
      const { denoiser } = conditionalDenoiser(model, { guidance: 0 }, 0, 1);
      const x = new Float32Array(info.dim).map((_, i) => Math.sin(i + 1));
      await checkedDenoiser(denoiser, info.relativePath)(x, 0.5, 1);
      return {
        model: input.model, kind: info.kind, dim: info.dim, shape: info.shape, noiseSchedule: info.schedule, prediction: info.prediction,
        conditional: info.conditional, ...(classes !== undefined ? { classes } : {}), sha256: info.sha256, worker: deps.identity,
      };
    } catch (err) {
      if (err instanceof ModelContractError) throw toActivityFailure(new ComputeError('model', `model: ${err.message} (fix the model file, or name another model)`));
      if (err instanceof RangeError) throw invalidInput(`model: ${err.message}`);
      if (err instanceof ComputeError) throw toActivityFailure(new ComputeError(err.kind, `model: ${err.message}`));
      throw toActivityFailure(err);
    }
  };
}
