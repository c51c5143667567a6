import { z } from 'zod';
import { NOISE_SCHEDULE_NAMES, getNoiseSchedule, type NoiseSchedule } from '../sampling/noise-schedules';
import { INTERPOLATIONS, MAX_INTERMEDIATE, MAX_ORDER, PREDICTION_TYPES, RELAXATIONS, scheduleNfe, type TSolverSchedule } from '../sampling/schedule';

/**
 * The S^3 decision space for one NFE group: which USF schedules a search may produce. Every
 * candidate of a study shares tStart and tEnd (the end time is fixed per study: a search that
 * could move tEnd would lower its error by stopping earlier, not by solving better).
 */

/** Relaxations a search may choose; `linear` is left out (its free coefficient is not searched). */
export const S3_RELAXATIONS = RELAXATIONS.filter((r) => r !== 'linear') as Exclude<(typeof RELAXATIONS)[number], 'linear'>[];
type SearchRelaxation = (typeof S3_RELAXATIONS)[number];

const uniqueList = <T extends string>(values: readonly [T, ...T[]], field: string) =>
  z
    .array(z.enum(values, { error: `${field} entries must be one of ${values.join(', ')}` }))
    .min(1, { error: `${field} must allow at least one of ${values.join(', ')}` })
    .refine((xs) => new Set(xs).size === xs.length, { error: `${field} lists a value twice; list each once` });

export const ZS3Space = z
  .object({
    /** Exact number of model evaluations of every candidate. */
    nfe: z.number({ error: 'nfe must be a number (model evaluations per sample)' }).int({ error: 'nfe must be a whole number' }).min(1, { error: 'nfe must be at least 1' }).max(100, { error: 'nfe must be at most 100 for a schedule search' }),
    noiseSchedule: z.enum(NOISE_SCHEDULE_NAMES, { error: `noiseSchedule must be one of ${NOISE_SCHEDULE_NAMES.join(', ')}` }),
    /** Defaults to the noise schedule's tMax. */
    tStart: z.number().positive({ error: 'tStart must be positive' }).optional(),
    /** Fixed for the whole study: every candidate and baseline ends here. */
    tEnd: z.number({ error: 'tEnd is required: the end time is fixed per study and shared by every candidate' }).positive({ error: 'tEnd must be positive' }),
    predictions: uniqueList(PREDICTION_TYPES, 'predictions').default([...PREDICTION_TYPES]),
    maxOrder: z.number().int().min(1).max(MAX_ORDER, { error: `maxOrder must be at most ${MAX_ORDER}` }).default(3),
    corrector: z.boolean().default(true),
    /** Intermediate (singlestep) points allowed per step; 0 forbids them. */
    maxIntermediate: z.number().int().min(0).max(MAX_INTERMEDIATE, { error: `maxIntermediate must be at most ${MAX_INTERMEDIATE}` }).default(2),
    analyticFirstStep: z.boolean().default(true),
    interpolations: uniqueList(INTERPOLATIONS, 'interpolations').default(['lambda']),
    relaxations: uniqueList(S3_RELAXATIONS as [SearchRelaxation, ...SearchRelaxation[]], 'relaxations').default([...S3_RELAXATIONS]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const noise = getNoiseSchedule(s.noiseSchedule);
    const tStart = s.tStart ?? noise.tMax;
    if (tStart > noise.tMax) ctx.addIssue({ code: 'custom', path: ['tStart'], message: `tStart (${tStart}) exceeds tMax (${noise.tMax}) of ${s.noiseSchedule}; lower it or omit it` });
    if (!(s.tEnd < tStart)) ctx.addIssue({ code: 'custom', path: ['tEnd'], message: `tEnd (${s.tEnd}) must be below tStart (${tStart})` });
    if (!s.relaxations.includes('none')) ctx.addIssue({ code: 'custom', path: ['relaxations'], message: 'relaxations must include "none" (order-1 steps cannot be relaxed)' });
    // Without the analytic first step every step starts with an evaluation, so nfe 1 is one DDIM step.
  });

export type TS3SpaceInput = z.input<typeof ZS3Space>;

/** A parsed space with tStart resolved. */
export type S3Space = Omit<z.infer<typeof ZS3Space>, 'tStart'> & { tStart: number };

/** Parse and resolve; throws a RangeError listing every problem by field. */
export function parseS3Space(input: unknown): S3Space {
  const r = ZS3Space.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((iss) => `${iss.path.join('.') || '(root)'}: ${iss.message}`);
    throw new RangeError(`invalid S^3 search space:\n${lines.join('\n')}`);
  }
  const noise = getNoiseSchedule(r.data.noiseSchedule);
  return { ...r.data, tStart: r.data.tStart ?? noise.tMax };
}

export function spaceNoise(space: S3Space): NoiseSchedule {
  return getNoiseSchedule(space.noiseSchedule);
}

/** Model evaluations of a schedule, with planUsf's accounting (it reports scheduleNfe). */
export function nfeOf(schedule: Pick<TSolverSchedule, 'steps' | 'analyticFirstStep'>): number {
  return scheduleNfe(schedule);
}

/** Highest predictor order a step may use under the space (the corrector adds one). */
export function orderCap(space: S3Space): number {
  return Math.min(space.maxOrder, MAX_ORDER);
}
