import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZSurrogateResult } from '../../schemas';

export const SURROGATE_RESOLUTION_MAX = 64;

const ZParamName = z.string().trim().min(1, 'name a float or int parameter of the study').max(64);

export const ZSurrogateInput = z.object({
  studyId: ZId,
  x: ZParamName,
  y: ZParamName,
  /** Grid points per axis: resolution x resolution posterior evaluations. */
  resolution: z.number().int().min(2).max(SURROGATE_RESOLUTION_MAX).default(32),
});
export const ZSurrogateOutput = ZSurrogateResult;

/** GP posterior mean and std over two parameters, the others at the best trial's values. */
export const studySurrogate = procedure
  .input(ZSurrogateInput)
  .output(ZSurrogateOutput)
  .query(({ ctx, input }) => ctx.service.getSurrogate(input));
