import { CRON_EXAMPLE, ZCron } from '@stepwise/core';
import { ValidationError, type ScheduleSpecInput } from './service-types';

/** Longest interval between scheduled runs (a year and a day). */
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

export interface ValidSpec {
  temporal: { cronExpressions?: string[]; intervals?: Array<{ every: string }> };
  stored: ScheduleSpecInput;
}

/**
 * The Temporal spec of a schedule and the normalised spec stored beside it. Checked in full here:
 * Temporal answers a spec it cannot parse with an internal error.
 */
export function validateSpec(spec: ScheduleSpecInput): ValidSpec {
  const hasCron = spec.cron !== undefined && spec.cron !== null && !(typeof spec.cron === 'string' && spec.cron.trim() === '');
  const hasInterval = spec.intervalSeconds !== undefined && spec.intervalSeconds !== null;
  if (hasCron === hasInterval) throw new ValidationError([{ field: 'spec', message: 'give exactly one of cron or intervalSeconds' }]);
  if (hasCron) {
    if (typeof spec.cron !== 'string') throw new ValidationError([{ field: 'spec.cron', message: `give a cron expression as a string, e.g. ${CRON_EXAMPLE}` }]);
    const cron = ZCron.safeParse(spec.cron);
    if (!cron.success) throw new ValidationError([{ field: 'spec.cron', message: cron.error.issues[0]?.message ?? 'not a cron expression' }]);
    return { temporal: { cronExpressions: [cron.data] }, stored: { cron: cron.data } };
  }
  const s = spec.intervalSeconds!;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_INTERVAL_SECONDS) {
    throw new ValidationError([{ field: 'spec.intervalSeconds', message: `must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS} (366 days)` }]);
  }
  return { temporal: { intervals: [{ every: `${s}s` }] }, stored: { intervalSeconds: s } };
}
