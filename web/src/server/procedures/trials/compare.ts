import { z } from 'zod';
import type { TrialComparison } from '@stepwise/service/service-types';
import { procedure } from '../../trpc';
import { ZId } from '../../schemas';

export const ZCompareTrialsInput = z.object({
  studyId: ZId,
  /** Trial numbers within the study. */
  a: z.number().int().min(0),
  b: z.number().int().min(0),
  confidence: z.number().gt(0.5).lt(1).optional(),
});

const ZInterval = z.object({ mean: z.number(), stderr: z.number(), ciLow: z.number(), ciHigh: z.number(), halfWidth: z.number() });
const ZCompared = z.object({ number: z.number(), mean: z.number(), unmatched: z.number() });

export const ZTrialComparison = z.object({
  studyId: z.string(),
  metric: z.string(),
  direction: z.enum(['minimize', 'maximize']),
  confidence: z.number(),
  unit: z.enum(['sample', 'set']),
  n: z.number(),
  a: ZCompared,
  b: ZCompared,
  paired: ZInterval.extend({ correlation: z.number().nullable(), varianceRatio: z.number().nullable() }),
  unpaired: ZInterval,
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _CompareContract = [Same<z.infer<typeof ZTrialComparison>, TrialComparison>] extends [true] ? true : never;
const _check: _CompareContract = true;
void _check;

/** Paired interval of mean(A - B) over the two trials' common seeds (common random numbers), and the unpaired one. */
export const compareTrials = procedure
  .input(ZCompareTrialsInput)
  .output(ZTrialComparison)
  .query(({ ctx, input }) => ctx.service.compareTrials(input));
