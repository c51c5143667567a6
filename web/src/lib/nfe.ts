/**
 * "Metric vs NFE per preset" for sampler studies: which studies qualify, and the chart's lines
 * (one per preset / spacing combination) built from completed trials. Pure, tested without a
 * browser.
 */

type ParamValue = string | number | boolean | Record<string, unknown>;

interface ConfigLike {
  kind?: string;
  objective?: { type?: string; nfe?: unknown; preset?: unknown; spacing?: unknown } | null;
  space?: ReadonlyArray<{ name: string; type: string; low?: number; high?: number; choices?: readonly unknown[] }> | null;
  candidates?: ReadonlyArray<Record<string, unknown>> | null;
}

/** True for a sampler study whose trials run at more than one NFE (a searched nfe, or evaluate candidates that differ in it). */
export function variesNfe(config: ConfigLike | null | undefined): boolean {
  const obj = config?.objective;
  if (!config || !obj || obj.type !== 'sampler') return false;
  if (config.kind === 'evaluate') {
    const values = new Set((config.candidates ?? []).map((c) => String(c.nfe ?? obj.nfe)));
    return values.size >= 2;
  }
  const p = config.space?.find((s) => s.name === 'nfe');
  if (!p) return false;
  if (p.type === 'categorical') return (p.choices?.length ?? 0) >= 2;
  return typeof p.low === 'number' && typeof p.high === 'number' && p.high > p.low;
}

export interface TrialLike {
  number: number;
  status: string;
  params: Record<string, ParamValue>;
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n?: number | null;
}

export interface NfePoint {
  nfe: number;
  value: number;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  trial: number;
}

export interface NfeSeries {
  /** Stable identity: "preset|spacing". */
  key: string;
  /** Legend text: the preset, plus the spacing when the study varies it. */
  label: string;
  preset: string;
  spacing: string;
  /** One point per NFE, ascending. */
  points: NfePoint[];
}

export interface NfeChartData {
  series: NfeSeries[];
  /** Distinct NFE values over all series, ascending. */
  nfes: number[];
  /** Several trials shared a (preset, spacing, NFE): each point is the best of them. */
  reduced: boolean;
  /** Some value or interval end is <= 0 (a log axis cannot show it). */
  nonPositive: boolean;
}

/**
 * Completed trials with a value and a numeric nfe, grouped by (preset, spacing) — from the trial's
 * params, else the objective's fixed settings — one point per NFE (the best trial there).
 */
export function nfeSeries(
  trials: readonly TrialLike[],
  opts: { direction: 'minimize' | 'maximize'; preset?: unknown; spacing?: unknown },
): NfeChartData {
  const better = (a: number, b: number) => (opts.direction === 'minimize' ? a < b : a > b);
  const groups = new Map<string, { preset: string; spacing: string; byNfe: Map<number, NfePoint> }>();
  let reduced = false;
  let nonPositive = false;
  for (const t of trials) {
    if (t.status !== 'completed' || t.value === null || !Number.isFinite(t.value)) continue;
    const nfe = Number(t.params.nfe);
    if (t.params.nfe === undefined || !Number.isFinite(nfe)) continue;
    const preset = String(t.params.preset ?? opts.preset ?? '');
    const spacing = String(t.params.spacing ?? opts.spacing ?? '');
    const key = `${preset}|${spacing}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { preset, spacing, byNfe: new Map() }));
    const point: NfePoint = { nfe, value: t.value, ciLow: t.ciLow, ciHigh: t.ciHigh, n: t.n ?? null, trial: t.number };
    const prev = g.byNfe.get(nfe);
    if (prev) {
      reduced = true;
      if (!better(point.value, prev.value)) continue;
    }
    g.byNfe.set(nfe, point);
  }
  const spacings = new Set([...groups.values()].map((g) => g.spacing));
  const series: NfeSeries[] = [...groups.entries()]
    .map(([key, g]) => {
      const points = [...g.byNfe.values()].sort((a, b) => a.nfe - b.nfe);
      for (const p of points) if (p.value <= 0 || (p.ciLow !== null && p.ciLow <= 0)) nonPositive = true;
      const label = [g.preset || 'default', spacings.size > 1 ? g.spacing || 'default spacing' : ''].filter(Boolean).join(' · ');
      return { key, label, preset: g.preset, spacing: g.spacing, points };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
  const nfes = [...new Set(series.flatMap((s) => s.points.map((p) => p.nfe)))].sort((a, b) => a - b);
  return { series, nfes, reduced, nonPositive };
}
