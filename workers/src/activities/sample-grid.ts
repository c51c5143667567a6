import { ApplicationFailure } from '@temporalio/activity';
import { PRESET_NAMES, SPACING_NAMES, type PresetName, type SampleGridInput, type SampleGridOutcome, type SpacingName } from '@stepwise/core';
import { samplePng } from '../sample-export';

/** Renders a small grid of samples for the dashboard; bad input is not worth retrying. */
export function createRenderSampleGrid(deps: { modelDir: string }) {
  return async function renderSampleGrid(input: SampleGridInput): Promise<SampleGridOutcome> {
    if (!(PRESET_NAMES as readonly string[]).includes(input.preset)) throw ApplicationFailure.nonRetryable(`preset: unknown preset "${input.preset}"`, 'InvalidInput');
    if (input.spacing !== undefined && !(SPACING_NAMES as readonly string[]).includes(input.spacing)) throw ApplicationFailure.nonRetryable(`spacing: unknown spacing "${input.spacing}"`, 'InvalidInput');
    try {
      const { png, shape, nfe } = await samplePng({
        model: input.model, preset: input.preset as PresetName, nfe: input.nfe, spacing: input.spacing as SpacingName | undefined,
        guidance: input.guidance, label: input.label, count: input.count, seed: input.seed, modelDir: deps.modelDir,
      });
      return { pngBase64: png.toString('base64'), shape, nfe };
    } catch (err) {
      throw ApplicationFailure.nonRetryable((err as Error).message, 'InvalidInput');
    }
  };
}
