import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudyDetail, ZTrialPage } from '../../schemas';
import { ZListTrialsInput } from '../trials/list';

export const ZStudySnapshotInput = z.object({
  id: ZId,
  /** The trial table's page: same fields, limits and defaults as trials.list. */
  trials: ZListTrialsInput.omit({ studyId: true }).default({ limit: 50, sort: 'number', order: 'asc' }),
});
export const ZStudySnapshotOutput = z.object({
  study: ZStudyDetail,
  trials: ZTrialPage,
  notes: z.string().nullable(),
});

/** Study, a page of its trials and its notes from one transaction: the study page's panels agree. */
export const studySnapshot = procedure
  .input(ZStudySnapshotInput)
  .output(ZStudySnapshotOutput)
  .query(({ ctx, input }) =>
    ctx.service.getStudySnapshot({
      id: input.id,
      trials: { cursor: input.trials.cursor ?? null, limit: input.trials.limit, sort: input.trials.sort, order: input.trials.order, status: input.trials.status },
    }),
  );
