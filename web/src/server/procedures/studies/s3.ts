import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId } from '../../schemas';

const ZPoint = z.object({ trial: z.number().int(), value: z.number(), ciLow: z.number().nullable(), ciHigh: z.number().nullable(), label: z.string().nullable() });
const ZCount = z.object({ total: z.number().int(), completed: z.number().int() });
const ZPredictor = z.object({ name: z.string(), heldOutSpearman: z.number().nullable(), heldOutKendall: z.number().nullable(), trainSize: z.number().int() });
const ZInterval = z.object({ mean: z.number(), ciLow: z.number(), ciHigh: z.number(), correlation: z.number(), varianceRatio: z.number() });

export const ZS3StudyView = z.object({
  model: z.object({ noiseSchedule: z.string(), dim: z.number().int() }).nullable(),
  groups: z.array(z.object({
    nfe: z.number().int(),
    baselines: ZCount.extend({ best: ZPoint.nullable() }),
    search: ZCount.extend({ best: ZPoint.nullable() }),
    searchOff: ZCount.extend({ best: ZPoint.nullable() }).nullable(),
    select: ZCount,
    holdout: ZCount,
  })),
  stages: z.array(z.object({
    stage: z.number().int(), nfe: z.number().int(), arm: z.literal('off').optional(), evaluations: z.number().int(),
    best: z.number().nullable(), bestTrial: z.number().int().nullable(), predictor: ZPredictor.nullable(),
  })),
  report: z.array(z.object({
    nfe: z.number().int(),
    seeds: z.number().int(),
    baseline: z.object({ trial: z.number().int(), label: z.string(), holdout: z.number().nullable(), selectionTrial: z.number().int() }),
    searched: z.object({ trial: z.number().int(), holdout: z.number().nullable(), selectionTrial: z.number().int() }),
    difference: ZInterval,
    improvement: z.object({ value: z.number(), ciLow: z.number(), ciHigh: z.number() }),
    evaluations: z.number().int(),
    baselinesCompared: z.number().int(),
    baselineFinalists: z.number().int(),
    confidence: z.number(),
    ablation: z.object({
      trial: z.number().int(), holdout: z.number().nullable(), selectionTrial: z.number().int(), evaluations: z.number().int(),
      improvement: z.object({ value: z.number(), ciLow: z.number(), ciHigh: z.number() }),
      predictorGain: z.object({ value: z.number(), ciLow: z.number(), ciHigh: z.number(), differenceLow: z.number(), differenceHigh: z.number() }),
    }).nullable().optional(),
  })).nullable(),
  winners: z.array(z.object({
    nfe: z.number().int(), searched: z.unknown(), baseline: z.unknown(),
    // A dpm-solver-v3 / dc-solver baseline: its solver settings (baseline is then null).
    baselinePreset: z.object({ preset: z.string(), nfe: z.number().int(), spacing: z.string(), rho: z.number().optional() }).nullable().optional(),
  })),
});

/** An s3 study's per-NFE standing, stage records (predictor rank correlation) and holdout report. */
export const studyS3 = procedure
  .input(z.object({ studyId: ZId }))
  .output(ZS3StudyView)
  .query(({ ctx, input }) => ctx.service.getS3Study({ studyId: input.studyId }));
