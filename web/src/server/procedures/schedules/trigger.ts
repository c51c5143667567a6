import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZScheduleRow } from '../../schemas';

export const ZTriggerScheduleInput = z.object({ id: ZId });
export const ZTriggerScheduleOutput = ZScheduleRow;

export const triggerSchedule = procedure
  .input(ZTriggerScheduleInput)
  .output(ZTriggerScheduleOutput)
  .mutation(({ ctx, input }) => ctx.service.triggerSchedule(input.id));
