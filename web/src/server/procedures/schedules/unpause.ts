import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZScheduleRow } from '../../schemas';

export const ZUnpauseScheduleInput = z.object({ id: ZId });
export const ZUnpauseScheduleOutput = ZScheduleRow;

export const unpauseSchedule = procedure
  .input(ZUnpauseScheduleInput)
  .output(ZUnpauseScheduleOutput)
  .mutation(({ ctx, input }) => ctx.service.unpauseSchedule(input.id));
