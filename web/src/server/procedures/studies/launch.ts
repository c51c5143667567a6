import { z } from 'zod';
import { ZStudyConfig, type TStudyConfigInput } from '@stepwise/core';
import { procedure } from '../../trpc';
import { badRequest, issuesFromZod } from '../../errors';
import { ZStudySummary } from '../../schemas';

export const ZLaunchStudyInput = z.object({
  // Typed for callers, validated below with ZStudyConfig so issue paths are relative to the
  // config ("budget.parallel"), not to this envelope ("config.budget.parallel").
  config: z.custom<TStudyConfigInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the study config must be an object'),
  source: z.enum(['dashboard', 'client']).default('client'),
});
export const ZLaunchStudyOutput = ZStudySummary;

export const launchStudy = procedure
  .input(ZLaunchStudyInput)
  .output(ZLaunchStudyOutput)
  .mutation(async ({ ctx, input }) => {
    const parsed = ZStudyConfig.safeParse(input.config);
    if (!parsed.success) throw badRequest(issuesFromZod(parsed.error));
    return ctx.service.launchStudy({ config: parsed.data, source: input.source });
  });
