import { z } from 'zod';
import { isReservedKey, reservedKeyMessage, unsafeTextReason } from './text';

/**
 * Search spaces shared by every study kind: grid and random sampling, Bayesian optimization and
 * the launch form on the dashboard all read the same schema.
 */

const ZName = z
  .string()
  .min(1, 'a parameter needs a name')
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'use letters, digits, _ . - and start with a letter or _')
  // Trial params are plain objects keyed by these names: see RESERVED_KEYS.
  .superRefine((name, ctx) => {
    if (isReservedKey(name)) ctx.addIssue({ code: 'custom', message: reservedKeyMessage(name) });
  });

export const ZFloatParam = z
  .object({
    type: z.literal('float'),
    name: ZName,
    low: z.number().finite(),
    high: z.number().finite(),
    log: z.boolean().default(false),
    /** Number of grid points for `grid` studies (ignored elsewhere). */
    gridPoints: z.number().int().min(1).max(10_000).default(5),
  })
  .superRefine((p, ctx) => {
    if (!(p.high > p.low)) ctx.addIssue({ code: 'custom', path: ['high'], message: `high (${p.high}) must be greater than low (${p.low})` });
    if (p.log && p.low <= 0) ctx.addIssue({ code: 'custom', path: ['low'], message: 'a log-scaled parameter needs low > 0' });
  });

export const ZIntParam = z
  .object({
    type: z.literal('int'),
    name: ZName,
    low: z.number().int(),
    high: z.number().int(),
    log: z.boolean().default(false),
  })
  .superRefine((p, ctx) => {
    if (!(p.high >= p.low)) ctx.addIssue({ code: 'custom', path: ['high'], message: `high (${p.high}) must be at least low (${p.low})` });
    if (p.log && p.low <= 0) ctx.addIssue({ code: 'custom', path: ['low'], message: 'a log-scaled parameter needs low >= 1' });
  });

export const ZCategoricalParam = z.object({
  type: z.literal('categorical'),
  name: ZName,
  choices: z
    .array(z.union([z.string().max(1000), z.number().finite(), z.boolean()]))
    .min(1, 'give at least one choice')
    .max(1000)
    .superRefine((choices, ctx) => {
      choices.forEach((c, i) => {
        const reason = typeof c === 'string' ? unsafeTextReason(c) : null;
        if (reason) ctx.addIssue({ code: 'custom', path: [i], message: reason });
      });
    }),
});

export const ZParam = z.discriminatedUnion('type', [ZFloatParam, ZIntParam, ZCategoricalParam]);

export const ZSpace = z
  .array(ZParam)
  .min(1, 'the search space needs at least one parameter')
  .max(256)
  .superRefine((params, ctx) => {
    const seen = new Set<string>();
    params.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate parameter name "${p.name}"` });
      seen.add(p.name);
    });
  });

export type TParam = z.infer<typeof ZParam>;
export type TFloatParam = z.infer<typeof ZFloatParam>;
export type TIntParam = z.infer<typeof ZIntParam>;
export type TCategoricalParam = z.infer<typeof ZCategoricalParam>;
export type TSpace = z.infer<typeof ZSpace>;
export type TParamValue = number | string | boolean;
export type TParams = Record<string, TParamValue>;
