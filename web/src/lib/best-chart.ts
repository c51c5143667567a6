/**
 * How the best-so-far chart maps values onto its y axis. A log axis needs positive numbers: when
 * every value (and the known optimum) is positive the values are drawn as they are (a Branin best
 * near 0.398 no longer lies flat under a 0-350 axis); otherwise, with a known optimum, the gap to
 * it (value - optimum, floored at a tiny positive number so a hit stays on the chart); otherwise
 * log-y is not available and the axis stays linear, with the reason.
 */
export interface YScale {
  log: boolean;
  /** What the axis shows, for its name. */
  label: 'value' | 'gap to optimum';
  map: (v: number) => number;
  /** Why log-y was asked for but not drawn. */
  note: string | null;
}

export function bestChartScale(values: readonly number[], optimum: number | null | undefined, wantLog: boolean): YScale {
  const identity = (v: number) => v;
  if (!wantLog) return { log: false, label: 'value', map: identity, note: null };
  const finite = values.filter(Number.isFinite);
  if (finite.every((v) => v > 0) && (optimum == null || optimum > 0)) return { log: true, label: 'value', map: identity, note: null };
  if (optimum != null) {
    const gaps = finite.map((v) => Math.abs(v - optimum)).filter((g) => g > 0);
    const floor = gaps.length > 0 ? Math.min(...gaps) / 10 : 1e-12;
    return { log: true, label: 'gap to optimum', map: (v) => Math.max(Math.abs(v - optimum), floor), note: null };
  }
  return { log: false, label: 'value', map: identity, note: 'log-y needs positive values or a known optimum' };
}

/** The y range stretched to hold the known optimum, so its line is always on the chart. */
export function rangeWithOptimum(values: readonly number[], optimum: number | null | undefined): { min: number; max: number } | null {
  const finite = values.filter(Number.isFinite);
  if (optimum != null && Number.isFinite(optimum)) finite.push(optimum);
  if (finite.length === 0) return null;
  return { min: Math.min(...finite), max: Math.max(...finite) };
}

/**
 * [min, max] widened outwards to round numbers (a step of 1, 2 or 5 times a power of ten, about
 * an eighth of the span), so explicit axis ends read "-20" and "300", not "-12.630281840516478".
 */
export function niceRange(min: number, max: number): { min: number; max: number } {
  const span = max - min;
  if (!(span > 0)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return { min: min - pad, max: max + pad };
  }
  const raw = span / 8;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step };
}
