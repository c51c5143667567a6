/**
 * CSV for trial exports: RFC 4180 quoting, full-precision numbers, ISO timestamps, empty for null,
 * and a structured parameter (a `schedule`: a whole solver schedule) as one JSON-text column.
 */

export interface CsvTrial {
  number: number;
  status: string;
  value: number | null;
  stderr: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  params: Record<string, number | string | boolean | Record<string, unknown>>;
  /** Multi-objective studies: every objective's value, and whether the trial is on the Pareto front. */
  values?: number[];
  onFront?: boolean;
  attempt: number;
  worker: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const FIXED_BEFORE = ['number', 'status', 'value', 'stderr', 'ci_low', 'ci_high', 'n'];
const FIXED_AFTER = ['attempt', 'worker', 'started_at', 'finished_at', 'error'];

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s: string;
  if (v instanceof Date) s = v.toISOString();
  else if (typeof v === 'object') s = JSON.stringify(v);
  else if (typeof v === 'number') s = Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  else s = String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: unknown[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

/**
 * Parameter columns are prefixed so a parameter called "value" or "n" cannot shadow a fixed column.
 * A multi-objective study adds one `objective.<metric>` column per objective and `on_front`.
 */
export function trialCsvHeader(paramNames: string[], objectiveMetrics: string[] = []): string {
  const objectives = objectiveMetrics.length ? [...objectiveMetrics.map((m) => `objective.${m}`), 'on_front'] : [];
  return csvLine([...FIXED_BEFORE, ...objectives, ...paramNames.map((p) => `param.${p}`), ...FIXED_AFTER]);
}

export function trialCsvRow(t: CsvTrial, paramNames: string[], objectiveCount = 0): string {
  const objectives = objectiveCount ? [...Array.from({ length: objectiveCount }, (_, k) => t.values?.[k] ?? null), t.onFront ?? false] : [];
  return csvLine([
    t.number,
    t.status,
    t.value,
    t.stderr,
    t.ciLow,
    t.ciHigh,
    t.n,
    ...objectives,
    ...paramNames.map((p) => t.params[p]),
    t.attempt,
    t.worker,
    t.startedAt,
    t.finishedAt,
    t.error,
  ]);
}
