import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudySummary } from '../../schemas';

export const ZPauseStudyInput = z.object({ id: ZId });

/** Pauses a running study: no new trials are dispatched; those in flight finish. */
export const pauseStudy = procedure
  .input(ZPauseStudyInput)
  .output(ZStudySummary)
  .mutation(({ ctx, input }) => ctx.service.pauseStudy(input.id));
