import { Context } from '@temporalio/activity';
import { SAMPLER_PRESET_NAMES, SPACING_NAMES, type SamplerPresetName, type SampleGridInput, type SampleGridOutcome, type SpacingName } from '@stepwise/core';
import { DEFAULT_MAX_SAMPLES_PER_ACTIVITY } from '../config';
import { samplePng } from '../sample-export';
import { invalidInput, limitExceeded, toActivityFailure } from './failures';

/**
 * Renders a small grid of samples for the dashboard. Bad input, a broken model and a grid over the
 * worker's sample cap are not worth retrying (non-retryable, typed from NON_RETRYABLE_COMPUTE_ERRORS);
 * anything else (a busy file, memory) is retried. Heartbeats while it works: the first grid of
 * dpm-solver-v3 on a model computes the model's statistics first (~2 minutes for gmm-cifar on
 * this project's 2-core machine), and a worker that dies meanwhile is noticed by its silence.
 */
export function createRenderSampleGrid(deps: { modelDir: string; device: string; maxSamplesPerActivity?: number }) {
  const cap = deps.maxSamplesPerActivity ?? DEFAULT_MAX_SAMPLES_PER_ACTIVITY;
  return async function renderSampleGrid(input: SampleGridInput): Promise<SampleGridOutcome> {
    if (input.schedule === undefined && !(SAMPLER_PRESET_NAMES as readonly string[]).includes(input.preset)) throw invalidInput(`preset: unknown preset "${input.preset}" (one of ${SAMPLER_PRESET_NAMES.join(', ')})`);
    if (input.spacing !== undefined && !(SPACING_NAMES as readonly string[]).includes(input.spacing)) throw invalidInput(`spacing: unknown spacing "${input.spacing}" (one of ${SPACING_NAMES.join(', ')})`);
    if (!Number.isSafeInteger(input.count) || input.count < 1) throw invalidInput(`count must be a positive integer, got ${input.count}`);
    if (!Number.isSafeInteger(input.seed)) throw invalidInput(`seed must be an integer, got ${input.seed}`);
    if (input.count > cap) {
      throw limitExceeded(`count ${input.count} exceeds this worker's cap of ${cap} samples per activity (STEPWISE_MAX_SAMPLES_PER_ACTIVITY): ask for fewer samples or raise the variable on the compute workers`);
    }
    const ctx = Context.current();
    try {
      const { png, shape, nfe } = await samplePng({
        model: input.model, preset: input.preset as SamplerPresetName, nfe: input.nfe, spacing: input.spacing as SpacingName | undefined,
        guidance: input.guidance, label: input.label, count: input.count, seed: input.seed, modelDir: deps.modelDir, device: deps.device,
        ...(input.schedule !== undefined ? { schedule: input.schedule } : {}),
      }, (phase) => ctx.heartbeat({ phase }));
      return { pngBase64: png.toString('base64'), shape, nfe };
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
