import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudyStatus, ZStudySummary } from '../../schemas';

export const ZListStudiesInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(25),
    /** Opaque: the previous page's nextCursor. */
    cursor: z.string().max(200).nullish(),
    status: ZStudyStatus.optional(),
    /** Only the studies one schedule launched (full id or unique prefix): the schedules page links here. */
    scheduleId: ZId.optional(),
  })
  .default({ limit: 25 });

export const ZStudyListItem = ZStudySummary.extend({
  /** Finished fraction (completed + failed) / total, 0..1. */
  progress: z.number().min(0).max(1),
});

export const ZListStudiesOutput = z.object({
  items: z.array(ZStudyListItem),
  nextCursor: z.string().nullable(),
});

export const listStudies = procedure
  .input(ZListStudiesInput)
  .output(ZListStudiesOutput)
  .query(async ({ ctx, input }) => {
    const page = await ctx.service.listStudies({ limit: input.limit, cursor: input.cursor ?? null, status: input.status, scheduleId: input.scheduleId });
    return {
      items: page.items.map((s) => ({
        ...s,
        progress: s.trialsTotal > 0 ? Math.min(1, (s.trialsCompleted + s.trialsFailed + s.trialsPruned) / s.trialsTotal) : 0,
      })),
      nextCursor: page.nextCursor,
    };
  });
