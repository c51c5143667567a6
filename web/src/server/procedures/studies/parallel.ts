import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZParallelData } from '../../schemas';

export const PARALLEL_LIMIT_MAX = 5000;

export const ZParallelInput = z.object({
  studyId: ZId,
  /** Most trials returned; more are thinned evenly by trial number. */
  limit: z.number().int().min(1).max(PARALLEL_LIMIT_MAX).default(1000),
});
export const ZParallelOutput = ZParallelData;

/** Completed trials' parameters and values for a parallel-coordinates plot. */
export const studyParallel = procedure
  .input(ZParallelInput)
  .output(ZParallelOutput)
  .query(({ ctx, input }) => ctx.service.getParallelCoordinates({ studyId: input.studyId, limit: input.limit }));
