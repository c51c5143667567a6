import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudySummary } from '../../schemas';

export const ZCancelStudyInput = z.object({ id: ZId });
export const ZCancelStudyOutput = ZStudySummary;

export const cancelStudy = procedure
  .input(ZCancelStudyInput)
  .output(ZCancelStudyOutput)
  .mutation(({ ctx, input }) => ctx.service.cancelStudy(input.id));
