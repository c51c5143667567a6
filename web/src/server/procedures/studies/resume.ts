import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudySummary } from '../../schemas';

export const ZResumeStudyInput = z.object({ id: ZId });

/** Resumes a paused study: dispatching continues where it stopped. */
export const resumeStudy = procedure
  .input(ZResumeStudyInput)
  .output(ZStudySummary)
  .mutation(({ ctx, input }) => ctx.service.resumeStudy(input.id));
