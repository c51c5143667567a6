/** Number and time formatting for dense tables: stable widths, no locale surprises. */

export function formatValue(v: number | null | undefined, digits = 6): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-4)) return v.toExponential(Math.max(1, digits - 3));
  return Number(v.toPrecision(digits)).toString();
}

export function formatParam(v: number | string | boolean | Record<string, unknown> | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatValue(v, 4);
  // A whole solver schedule (a trial's "schedule" parameter): its JSON, the drawer shows it in full.
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function between(a: Date | null, b: Date | null, now = Date.now()): number | null {
  if (!a) return null;
  return (b ? b.getTime() : now) - a.getTime();
}

export function formatTime(d: Date | null | undefined): string {
  if (!d) return '—';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatAgo(d: Date | null | undefined, now = Date.now()): string {
  if (!d) return '—';
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < -5) return `in ${formatDuration(-s * 1000)}`;
  if (s < 5) return 'just now';
  return `${formatDuration(s * 1000)} ago`;
}

export function formatSpec(spec: { cron?: string; intervalSeconds?: number }): string {
  if (spec.cron) return `cron ${spec.cron}`;
  const s = spec.intervalSeconds;
  if (s === undefined) return '—';
  if (s % 86400 === 0) return `every ${s / 86400} d`;
  if (s % 3600 === 0) return `every ${s / 3600} h`;
  if (s % 60 === 0) return `every ${s / 60} min`;
  return `every ${s} s`;
}
