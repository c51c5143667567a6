import { z } from 'zod';
import { ZStudyConfig, type TStudyConfigInput } from '@stepwise/core';
import { procedure } from '../../trpc';
import { badRequest, issuesFromZod } from '../../errors';
import { ZScheduleRow } from '../../schemas';

// Five fields (minute hour day month weekday), optionally six with seconds, or a macro.
const CRON_RE = /^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4,5}\S+)$/;

export const ZCreateScheduleInput = z
  .object({
    name: z.string().trim().min(1, 'give the schedule a name').max(200),
    cron: z.string().trim().regex(CRON_RE, 'expected a cron expression like "0 3 * * *"').optional(),
    intervalSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional(),
    template: z.custom<TStudyConfigInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the study template must be an object'),
    paused: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if ((v.cron === undefined) === (v.intervalSeconds === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give exactly one of cron or intervalSeconds' });
    }
  });
export const ZCreateScheduleOutput = ZScheduleRow;

export const createSchedule = procedure
  .input(ZCreateScheduleInput)
  .output(ZCreateScheduleOutput)
  .mutation(async ({ ctx, input }) => {
    const parsed = ZStudyConfig.safeParse(input.template);
    if (!parsed.success) throw badRequest(issuesFromZod(parsed.error, 'template'));
    const spec = input.cron !== undefined ? { cron: input.cron } : { intervalSeconds: input.intervalSeconds };
    return ctx.service.createSchedule({ name: input.name, spec, template: parsed.data, paused: input.paused });
  });
