import { z } from 'zod';
import type { ParetoFrontView } from '@stepwise/service/service-types';
import { procedure } from '../../trpc';
import { ZId } from '../../schemas';

const ZDirection = z.enum(['minimize', 'maximize']);
const ZParamValue = z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown())]);

export const PARETO_LIMIT_MAX = 5000;
export const PARETO_CURVE_MAX = 2000;

export const ZParetoInput = z.object({
  studyId: ZId,
  /** Most completed trials off the front returned for the scatter (thinned evenly by trial number); the front is always whole. */
  limit: z.number().int().min(1).max(PARETO_LIMIT_MAX).default(1000),
  /** Most points of the hypervolume-over-trials curve. */
  curvePoints: z.number().int().min(2).max(PARETO_CURVE_MAX).default(500),
});

export const ZParetoFrontView = z.object({
  studyId: z.string(),
  objectives: z.array(z.object({ metric: z.string(), direction: ZDirection })),
  front: z.array(z.object({ number: z.number().int(), params: z.record(z.string(), ZParamValue), values: z.array(z.number()) })),
  others: z.array(z.object({ number: z.number().int(), values: z.array(z.number()) })),
  completed: z.number().int(),
  sampled: z.boolean(),
  reference: z.object({ point: z.array(z.number()), source: z.enum(['function', 'observed']), note: z.string() }),
  hypervolume: z.number(),
  curve: z.array(z.object({ completed: z.number().int(), trialNumber: z.number().int(), hypervolume: z.number() })),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _ParetoContract = [Same<z.infer<typeof ZParetoFrontView>, ParetoFrontView>] extends [true] ? true : never;
const _check: _ParetoContract = true;
void _check;

/**
 * A multi-objective study's Pareto front (stored with the trials), the completed trials off it
 * for a scatter, and the hypervolume after each completed trial with its reference point.
 * BAD_REQUEST on "studyId" for a study with one objective.
 */
export const studyPareto = procedure
  .input(ZParetoInput)
  .output(ZParetoFrontView)
  .query(({ ctx, input }) => ctx.service.getParetoFront({ studyId: input.studyId, limit: input.limit, curvePoints: input.curvePoints }));
