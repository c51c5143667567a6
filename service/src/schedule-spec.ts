import { CRON_EXAMPLE, ZCron } from '@stepwise/core';
import { ValidationError, type ScheduleSpecInput } from './service-types';

/** Longest interval between scheduled runs (a year and a day). */
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

export interface ValidSpec {
  temporal: { cronExpressions?: string[]; intervals?: Array<{ every: string; offset?: string }> };
  stored: ScheduleSpecInput;
}

export const SEED_POLICIES = ['fixed', 'increment', 'random'] as const;
export type SeedPolicy = (typeof SEED_POLICIES)[number];
/**
 * New schedules vary the seed by default: a rerun that repeats the last one exactly tells nothing
 * new. Rows stored before the policy existed have none, and keep running as they did ('fixed').
 */
export const DEFAULT_SEED_POLICY: SeedPolicy = 'increment';

/**
 * The Temporal spec of a schedule and the normalised spec stored beside it. Checked in full here:
 * Temporal answers a spec it cannot parse with an internal error.
 */
export function validateSpec(spec: ScheduleSpecInput, now: Date = new Date()): ValidSpec {
  const policy = spec.seedPolicy ?? DEFAULT_SEED_POLICY;
  if (!(SEED_POLICIES as readonly string[]).includes(policy)) {
    throw new ValidationError([{ field: 'spec.seedPolicy', message: `must be one of ${SEED_POLICIES.join(', ')} (fixed: the template's seed every run; increment: template seed + run number; random: a fresh seed per run, recorded on the study)` }]);
  }
  const hasCron = spec.cron !== undefined && spec.cron !== null && !(typeof spec.cron === 'string' && spec.cron.trim() === '');
  const hasInterval = spec.intervalSeconds !== undefined && spec.intervalSeconds !== null;
  if (hasCron === hasInterval) throw new ValidationError([{ field: 'spec', message: 'give exactly one of cron or intervalSeconds' }]);
  if (hasCron) {
    if (typeof spec.cron !== 'string') throw new ValidationError([{ field: 'spec.cron', message: `give a cron expression as a string, e.g. ${CRON_EXAMPLE}` }]);
    const cron = ZCron.safeParse(spec.cron);
    if (!cron.success) throw new ValidationError([{ field: 'spec.cron', message: cron.error.issues[0]?.message ?? 'not a cron expression' }]);
    return { temporal: { cronExpressions: [cron.data] }, stored: { cron: cron.data, seedPolicy: policy } };
  }
  const s = spec.intervalSeconds!;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_INTERVAL_SECONDS) {
    throw new ValidationError([{ field: 'spec.intervalSeconds', message: `must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS} (366 days)` }]);
  }
  // Temporal phases intervals from the Unix epoch ("every 1h" fires on the hour); the offset
  // anchors them at creation instead, so the first run is one interval after the schedule exists.
  const offset = Math.floor(now.getTime() / 1000) % s;
  return { temporal: { intervals: [{ every: `${s}s`, offset: `${offset}s` }] }, stored: { intervalSeconds: s, anchoredAt: now.toISOString(), seedPolicy: policy } };
}
