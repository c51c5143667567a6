import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZStudyDetail } from '../../schemas';

export const ZGetStudyInput = z.object({ id: ZId });
export const ZGetStudyOutput = ZStudyDetail;

export const getStudy = procedure
  .input(ZGetStudyInput)
  .output(ZGetStudyOutput)
  .query(({ ctx, input }) => ctx.service.getStudy(input.id));
