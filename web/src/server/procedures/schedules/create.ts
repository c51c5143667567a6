import { z } from 'zod';
import { ZCron, ZText, type TStudyConfigInput } from '@stepwise/core';
import { procedure } from '../../trpc';
import { badRequest } from '../../errors';
import { ValidationError } from '@stepwise/service/service-types';
import { ZScheduleRow } from '../../schemas';

// The service names spec problems after its own input ("spec.cron"); callers of this procedure
// sent flat `cron` / `intervalSeconds`, so its issues are renamed to those fields.
const SPEC_FIELDS: Record<string, string> = { spec: 'cron', 'spec.cron': 'cron', 'spec.intervalSeconds': 'intervalSeconds', 'spec.seedPolicy': 'seedPolicy' };

export const ZCreateScheduleInput = z
  .object({
    name: ZText(200).trim().min(1, 'give the schedule a name'),
    // Five fields (minute hour day-of-month month day-of-week), checked in full: see core/src/config/cron.ts.
    cron: ZCron.optional(),
    intervalSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional(),
    template: z.custom<TStudyConfigInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the study template must be an object'),
    paused: z.boolean().default(false),
    /** Seed of each run's study: fixed (the template's), increment (+1 per run; default) or random. */
    seedPolicy: z.enum(['fixed', 'increment', 'random']).optional(),
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
    const timing = input.cron !== undefined ? { cron: input.cron } : { intervalSeconds: input.intervalSeconds };
    const spec = { ...timing, seedPolicy: input.seedPolicy };
    try {
      return await ctx.service.createSchedule({ name: input.name, spec, template: input.template, paused: input.paused });
    } catch (e) {
      if (e instanceof ValidationError) throw badRequest(e.issues.map((i) => ({ field: SPEC_FIELDS[i.field] ?? i.field, message: i.message })));
      throw e;
    }
  });
