import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId } from '../../schemas';

export const ZDeleteScheduleInput = z.object({ id: ZId });
export const ZDeleteScheduleOutput = z.object({ id: z.string() });

export const deleteSchedule = procedure
  .input(ZDeleteScheduleInput)
  .output(ZDeleteScheduleOutput)
  .mutation(({ ctx, input }) => ctx.service.deleteSchedule(input.id));
