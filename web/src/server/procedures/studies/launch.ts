import { z } from 'zod';
import type { TStudyConfigInput } from '@stepwise/core';
import { procedure } from '../../trpc';
import { ZStudySummary } from '../../schemas';

export const ZLaunchStudyInput = z.object({
  // Typed for callers, validated by the service so issue paths are relative to the
  // config ("budget.parallel"), not to this envelope ("config.budget.parallel").
  config: z.custom<TStudyConfigInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the study config must be an object'),
  source: z.enum(['dashboard', 'client']).default('client'),
});
export const ZLaunchStudyOutput = ZStudySummary;

export const launchStudy = procedure
  .input(ZLaunchStudyInput)
  .output(ZLaunchStudyOutput)
  .mutation(async ({ ctx, input }) => {
    // The service validates (schema, unknown keys, overrides, the model on a compute worker) and
    // throws a ValidationError naming each field; parsing here first would drop unknown keys.
    return ctx.service.launchStudy({ config: input.config, source: input.source });
  });
