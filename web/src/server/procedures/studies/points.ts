import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZParallelData } from '../../schemas';
import { PARALLEL_LIMIT_MAX } from './parallel';

export const ZTrialPointsInput = z.object({
  studyId: ZId,
  /** Most trials returned; more are thinned evenly by trial number. */
  limit: z.number().int().min(1).max(PARALLEL_LIMIT_MAX).default(1000),
});
export const ZTrialPointsOutput = ZParallelData.extend({
  rows: z.array(z.object({ number: z.number(), params: ZParallelData.shape.rows.element.shape.params, value: z.number(), ciLow: z.number().nullable(), ciHigh: z.number().nullable() })),
});

/** Completed trials' params, values and intervals (the insight views), thinned on the server. */
export const studyPoints = procedure
  .input(ZTrialPointsInput)
  .output(ZTrialPointsOutput)
  .query(({ ctx, input }) => ctx.service.getTrialPoints({ studyId: input.studyId, limit: input.limit }));
