import { z } from 'zod';
import { isReservedKey, reservedKeyMessage, unsafeTextReason } from './text';

/**
 * Search spaces shared by every study kind: grid and random sampling, Bayesian optimization and
 * the launch form on the dashboard all read the same schema.
 *
 * Conditional parameters: `when: { param, in }` makes a parameter active only when the named
 * categorical parameter (listed earlier, itself possibly conditional) takes one of the given
 * choices, e.g. `momentum` only for `optimizer: sgd`. An inactive parameter is absent from the
 * trial's params: grid and random search do not vary it, BO holds its coordinate fixed.
 */

const ZCondition = z.strictObject({
  /** The parent: a categorical parameter listed before this one. */
  param: z.string().min(1, 'name the categorical parameter this one depends on'),
  /** The parent's choices for which this parameter is active. */
  in: z.array(z.union([z.string().max(1000), z.number().finite(), z.boolean()])).min(1, 'list at least one choice of the parent parameter').max(1000),
});

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
    when: ZCondition.optional(),
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
    when: ZCondition.optional(),
  })
  .superRefine((p, ctx) => {
    if (!(p.high >= p.low)) ctx.addIssue({ code: 'custom', path: ['high'], message: `high (${p.high}) must be at least low (${p.low})` });
    if (p.log && p.low <= 0) ctx.addIssue({ code: 'custom', path: ['low'], message: 'a log-scaled parameter needs low >= 1' });
  });

export const ZCategoricalParam = z.object({
  type: z.literal('categorical'),
  name: ZName,
  choices: z
    .array(z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.record(z.string(), z.unknown()) /* a solver schedule: checked by the study schema */]))
    .min(1, 'give at least one choice')
    .max(1000)
    .superRefine((choices, ctx) => {
      choices.forEach((c, i) => {
        const reason = typeof c === 'string' ? unsafeTextReason(c) : null;
        if (reason) ctx.addIssue({ code: 'custom', path: [i], message: reason });
      });
    }),
  when: ZCondition.optional(),
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
    params.forEach((p, i) => {
      if (!p.when) return;
      const j = params.findIndex((q) => q.name === p.when!.param);
      const parent = params[j];
      if (j < 0 || j >= i) {
        const where = j < 0 ? 'there is no such parameter' : `it is listed after "${p.name}"`;
        ctx.addIssue({ code: 'custom', path: [i, 'when', 'param'], message: `"${p.when.param}": ${where}; name a categorical parameter listed before "${p.name}"` });
        return;
      }
      if (parent.type !== 'categorical') {
        ctx.addIssue({ code: 'custom', path: [i, 'when', 'param'], message: `"${parent.name}" is a ${parent.type} parameter; a condition needs a categorical parent` });
        return;
      }
      const chosen = new Set<unknown>();
      p.when.in.forEach((v, t) => {
        if (!parent.choices.some((c) => c === v)) {
          ctx.addIssue({ code: 'custom', path: [i, 'when', 'in', t], message: `${JSON.stringify(v)} is not a choice of "${parent.name}" (${parent.choices.map((c) => JSON.stringify(c)).join(', ')})` });
        } else if (chosen.has(v)) {
          ctx.addIssue({ code: 'custom', path: [i, 'when', 'in', t], message: `${JSON.stringify(v)} is listed twice` });
        }
        chosen.add(v);
      });
    });
  });

export type TParam = z.infer<typeof ZParam>;
export type TFloatParam = z.infer<typeof ZFloatParam>;
export type TIntParam = z.infer<typeof ZIntParam>;
export type TCategoricalParam = z.infer<typeof ZCategoricalParam>;
export type TSpace = z.infer<typeof ZSpace>;
export type TParamValue = number | string | boolean | Record<string, unknown> /* `schedule`: a solver schedule (JSON) */;
export type TParams = Record<string, TParamValue>;
export type TCondition = z.infer<typeof ZCondition>;

/**
 * Whether parameter `p` is active given the values of the parameters before it: unconditional,
 * or its parent is itself active (present in `params`) with one of the listed choices. A parent
 * that is not part of `space` (a space cut down to a few axes) leaves the parameter active.
 */
export function isParamActive(space: TSpace, p: TParam, params: TParams): boolean {
  if (!p.when) return true;
  const { param, in: choices } = p.when;
  if (!space.some((q) => q.name === param)) return true;
  return param in params && choices.some((c) => c === params[param]);
}

/** True when some parameter of the space has a condition. */
export function hasConditions(space: TSpace): boolean {
  return space.some((p) => p.when !== undefined);
}

/**
 * The params with inactive parameters removed (and so, transitively, their children): what a
 * trial with these values actually uses. Parameters the space does not name are kept.
 */
export function activeParams(space: TSpace, params: TParams): TParams {
  if (!hasConditions(space)) return params;
  const out: TParams = { ...params };
  for (const p of space) if (!isParamActive(space, p, out)) delete out[p.name];
  return out;
}

/** A condition as people read it, e.g. "optimizer in [sgd, nesterov]"; null when unconditional. */
export function describeCondition(p: TParam): string | null {
  if (!p.when) return null;
  return `${p.when.param} in [${p.when.in.map((v) => String(v)).join(', ')}]`;
}
