import { z } from 'zod';

/**
 * Cron expressions for rerun schedules, checked here so that Temporal never sees one it would
 * reject (it answers those with an internal error, and the schedule would be half-created).
 * Deliberately the common subset: five fields, each a comma list of `*`, `N`, `N-M`, with an
 * optional `/STEP`; month and weekday also by three-letter name. No seconds or year fields, no
 * `?`, `L`, `W`, `#` or `@daily` shortcuts: what is accepted means the same thing everywhere.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export const CRON_EXAMPLE = '"0 3 * * *" (every day at 03:00 UTC) or "*/15 * * * *" (every 15 minutes)';
const FORMAT = `five fields: minute hour day-of-month month day-of-week, e.g. ${CRON_EXAMPLE}`;

function value(token: string, f: CronField): number | string {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= f.min && n <= f.max ? n : `${f.name} value ${token} is out of range ${f.min}-${f.max}`;
  }
  const i = f.names?.indexOf(token.toUpperCase()) ?? -1;
  if (i >= 0) return i + f.min;
  return `${f.name} value "${token}" is not a number${f.names ? ` or a name (${f.names[0]}-${f.names[f.names.length - 1]})` : ''}`;
}

function fieldIssue(text: string, f: CronField): string | null {
  for (const item of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) return `${f.name} field "${text}" is not a list of *, N, N-M or */STEP`;
    const [, range, step] = m;
    if (step !== undefined && (Number(step) < 1 || Number(step) > f.max - f.min + 1)) {
      return `${f.name} step /${step} must be between 1 and ${f.max - f.min + 1}`;
    }
    if (range === '*') continue;
    const parts = range.split('-');
    if (parts.length > 2 || parts.some((p) => p === '')) return `${f.name} field "${text}" is not a list of *, N, N-M or */STEP`;
    if (parts.length === 1 && step !== undefined) return `${f.name} "${item}": a step needs a range (N-M/STEP) or * (*/STEP)`;
    const ends = parts.map((p) => value(p, f));
    const bad = ends.find((e) => typeof e === 'string');
    if (bad !== undefined) return bad as string;
    if (ends.length === 2 && (ends[0] as number) > (ends[1] as number)) return `${f.name} range "${range}" runs backwards; write the smaller value first`;
  }
  return null;
}

/** Why `expr` is not an accepted cron expression, or null when it is. */
export function cronIssue(expr: string): string | null {
  const trimmed = expr.trim();
  if (trimmed === '') return `give a cron expression: ${FORMAT}`;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== FIELDS.length) return `"${trimmed}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected ${FORMAT}`;
  for (let i = 0; i < FIELDS.length; i++) {
    const issue = fieldIssue(fields[i], FIELDS[i]);
    if (issue) return `${issue} (in "${trimmed}"; expected ${FORMAT})`;
  }
  return null;
}

/** A cron expression, trimmed and with its fields separated by single spaces. */
export const ZCron = z
  .string()
  .max(200)
  .transform((s) => s.trim().split(/\s+/).join(' '))
  .superRefine((s, ctx) => {
    const issue = cronIssue(s);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  });
