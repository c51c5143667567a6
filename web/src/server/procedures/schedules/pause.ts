import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZScheduleRow } from '../../schemas';

export const ZPauseScheduleInput = z.object({ id: ZId });
export const ZPauseScheduleOutput = ZScheduleRow;

export const pauseSchedule = procedure
  .input(ZPauseScheduleInput)
  .output(ZPauseScheduleOutput)
  .mutation(({ ctx, input }) => ctx.service.pauseSchedule(input.id));
