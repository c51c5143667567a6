import { InvalidArgumentError } from 'commander';
import { DEFAULT_URL } from '../index';

/** Pure argument parsers and environment resolution for the CLI (tested without a server). */

export const EXPORT_FORMATS = ['csv', 'json', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const STUDY_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type StudyStatusArg = (typeof STUDY_STATUSES)[number];

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "3600", "90s", "15m", "2h", "1d" → seconds (a whole number, at least 1). */
export function parseEverySeconds(value: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(value);
  if (!m) throw new InvalidArgumentError('expected seconds, or a number with s/m/h/d (e.g. 3600, 15m, 2h)');
  const seconds = Number(m[1]) * UNIT_SECONDS[(m[2] || 's').toLowerCase()];
  if (!Number.isSafeInteger(seconds) || seconds < 1) throw new InvalidArgumentError('the interval must be at least 1 second');
  return seconds;
}

export function parseFormat(value: string): ExportFormat {
  const v = value.toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${EXPORT_FORMATS.join(', ')}`);
  return v as ExportFormat;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export function parseStatus(value: string): StudyStatusArg {
  if (!(STUDY_STATUSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${STUDY_STATUSES.join(', ')}`);
  return value as StudyStatusArg;
}

/** A usage mistake found after commander's own parsing (printed as "error: ...", exit 1). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--cron` xor `--every`: exactly one names when the schedule fires. */
export function scheduleSpec(opts: { cron?: string; every?: number }): { cron: string } | { intervalSeconds: number } {
  if (opts.cron !== undefined && opts.every !== undefined) throw new UsageError('give either --cron or --every, not both');
  if (opts.cron !== undefined) {
    if (opts.cron.trim() === '') throw new UsageError('--cron needs an expression like "0 3 * * *"');
    return { cron: opts.cron.trim() };
  }
  if (opts.every !== undefined) return { intervalSeconds: opts.every };
  throw new UsageError('give --cron "<expr>" or --every <seconds>');
}

export interface Connection {
  url: string;
  token: string | null;
}

/** Flags win over STEPWISE_URL / STEPWISE_API_TOKEN; the URL defaults to the local dev stack. */
export function resolveConnection(flags: { url?: string; token?: string }, env: Record<string, string | undefined>): Connection {
  const url = flags.url ?? (env.STEPWISE_URL || DEFAULT_URL);
  const token = flags.token ?? (env.STEPWISE_API_TOKEN || null);
  return { url, token: token || null };
}
