import { z } from 'zod';
import { SAMPLER_PRESET_NAMES, SPACING_NAMES, ZModelRef, ZSolverSchedule } from '@stepwise/core';
import { procedure } from '../../trpc';

export const ZSampleGridInput = z.object({
  model: ZModelRef,
  // Ignored when `schedule` is given.
  // dpm-solver-v3 / dc-solver: the compute worker computes (once) and caches their model statistics.
  preset: z.enum(SAMPLER_PRESET_NAMES).default('dpmpp-2m'),
  nfe: z.number().int().min(1).max(200).default(10),
  spacing: z.enum(SPACING_NAMES).optional(),
  guidance: z.number().min(0).max(100).optional(),
  label: z.number().int().min(0).max(1000).optional(),
  count: z.number().int().min(1).max(256).default(64),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** A whole USF schedule (e.g. from `stepwise export --schedules`); replaces preset, nfe and spacing. */
  schedule: ZSolverSchedule.optional(),
});
export const ZSampleGridOutput = z.object({ dataUrl: z.string(), shape: z.array(z.number()), nfe: z.number() });

/** A picture of samples from a model with a solver configuration, drawn on a compute worker. */
export const sampleGrid = procedure
  .input(ZSampleGridInput)
  .output(ZSampleGridOutput)
  .mutation(({ ctx, input }) => ctx.service.renderSamples(input));
