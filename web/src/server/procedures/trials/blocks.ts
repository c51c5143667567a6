import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZTrialBlocks } from '../../schemas';

export const ZTrialBlocksInput = z.object({ trialId: ZId });
export const ZTrialBlocksOutput = ZTrialBlocks;

/** A trial's seed blocks in order, with the merged estimate (mean, t-interval, n) after each. */
export const trialBlocks = procedure
  .input(ZTrialBlocksInput)
  .output(ZTrialBlocksOutput)
  .query(({ ctx, input }) => ctx.service.getTrialBlocks({ trialId: input.trialId }));
