import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZSortOrder, ZTrialPage, ZTrialSortField, ZTrialStatus } from '../../schemas';

export const TRIAL_PAGE_MAX = 500;

export const ZListTrialsInput = z.object({
  studyId: ZId,
  /** Opaque: the previous page's nextCursor, valid only with the same sort, order and filter. */
  cursor: z.string().max(1000).nullish(),
  limit: z.number().int().min(1).max(TRIAL_PAGE_MAX).default(50),
  sort: ZTrialSortField.default('number'),
  order: ZSortOrder.default('asc'),
  status: ZTrialStatus.optional(),
});
export const ZListTrialsOutput = ZTrialPage;

export const listTrials = procedure
  .input(ZListTrialsInput)
  .output(ZListTrialsOutput)
  .query(({ ctx, input }) =>
    ctx.service.listTrials({
      studyId: input.studyId,
      cursor: input.cursor ?? null,
      limit: input.limit,
      sort: input.sort,
      order: input.order,
      status: input.status,
    }),
  );
