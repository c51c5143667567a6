import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId, ZTrialStatus } from '../../schemas';

export const CURVE_POINTS_MAX = 500;
export const CURVE_TRIALS_MAX = 500;

export const ZTrialCurvesInput = z.object({
  studyId: ZId,
  /** Only this trial's curve (the trial drawer). */
  number: z.number().int().min(0).optional(),
  /** Points per curve; longer curves are thinned evenly on the server. */
  maxPoints: z.number().int().min(2).max(CURVE_POINTS_MAX).default(200),
  /** Curves returned, lowest trial numbers first. */
  maxTrials: z.number().int().min(1).max(CURVE_TRIALS_MAX).default(200),
});

export const ZTrialCurves = z.object({
  studyId: z.string(),
  metric: z.string(),
  direction: z.enum(['minimize', 'maximize']),
  curves: z.array(z.object({
    number: z.number(),
    status: ZTrialStatus,
    points: z.array(z.object({ step: z.number(), value: z.number() })),
    reported: z.number(),
  })),
  truncated: z.boolean(),
});

/** Learning curves (intermediate values per step) of a study's trials, thinned on the server. */
export const studyCurves = procedure
  .input(ZTrialCurvesInput)
  .output(ZTrialCurves)
  .query(({ ctx, input }) => ctx.service.getTrialCurves(input));
