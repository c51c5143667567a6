import type { ParallelAxis } from '@stepwise/service/service-types';

/**
 * Data of the study page's insight views (slice, contour, trial filter), computed from the
 * server's completed-trial rows (at most PARALLEL_LIMIT, evenly thinned): pure so they can be
 * tested without a browser, and small so nothing here grows with the study.
 */

export interface InsightRow {
  number: number;
  params: Record<string, unknown>;
  value: number;
}

/** A parameter value as a number on its axis: categorical choices by index, others as they are. */
export function axisCoordinate(axis: ParallelAxis, v: unknown): number | null {
  if (axis.type === 'categorical') {
    const i = (axis.choices ?? []).findIndex((c) => c === v);
    return i < 0 ? null : i;
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface ContourGrid {
  /** Bin edges along x and y (k + 1 each; one bin per choice for a categorical axis). */
  xEdges: number[];
  yEdges: number[];
  /** Mean value of the trials in each cell [iy][ix]; null for an empty cell. */
  mean: Array<Array<number | null>>;
  count: number[][];
}

function edgesFor(axis: ParallelAxis, coords: number[], k: number): number[] {
  if (axis.type === 'categorical') return Array.from({ length: (axis.choices ?? []).length + 1 }, (_, i) => i - 0.5);
  let lo = axis.low ?? Math.min(...coords), hi = axis.high ?? Math.max(...coords);
  if (!(hi > lo)) hi = lo + 1;
  if (axis.log && lo > 0) {
    const a = Math.log(lo), b = Math.log(hi);
    return Array.from({ length: k + 1 }, (_, i) => Math.exp(a + ((b - a) * i) / k));
  }
  return Array.from({ length: k + 1 }, (_, i) => lo + ((hi - lo) * i) / k);
}

function binOf(edges: number[], v: number): number {
  const last = edges.length - 2;
  if (v <= edges[0]) return 0;
  if (v >= edges[last + 1]) return last;
  let i = 0;
  while (i < last && v >= edges[i + 1]) i++;
  return i;
}

/**
 * The mean value of the trials in each cell of a k x k grid over two parameters: a contour of
 * what the study observed, for any study kind (bayesopt's GP surface is its own view).
 */
export function contourGrid(rows: readonly InsightRow[], x: ParallelAxis, y: ParallelAxis, k = 12): ContourGrid {
  const pts = rows.flatMap((r) => {
    const cx = axisCoordinate(x, r.params[x.name]), cy = axisCoordinate(y, r.params[y.name]);
    return cx === null || cy === null || !Number.isFinite(r.value) ? [] : [{ cx, cy, v: r.value }];
  });
  const xEdges = edgesFor(x, pts.map((p) => p.cx), k);
  const yEdges = edgesFor(y, pts.map((p) => p.cy), k);
  const nx = xEdges.length - 1, ny = yEdges.length - 1;
  const sum = Array.from({ length: ny }, () => new Array<number>(nx).fill(0));
  const count = Array.from({ length: ny }, () => new Array<number>(nx).fill(0));
  for (const p of pts) {
    const ix = binOf(xEdges, p.cx), iy = binOf(yEdges, p.cy);
    sum[iy][ix] += p.v;
    count[iy][ix]++;
  }
  const mean = sum.map((row, iy) => row.map((s, ix) => (count[iy][ix] > 0 ? s / count[iy][ix] : null)));
  return { xEdges, yEdges, mean, count };
}

/** A trial filter: a closed range per numeric parameter and on the value, a set of allowed choices per categorical. */
export interface TrialFilter {
  ranges: Record<string, { min?: number; max?: number }>;
  choices: Record<string, string[]>;
  value: { min?: number; max?: number };
}

export const EMPTY_FILTER: TrialFilter = { ranges: {}, choices: {}, value: {} };

const inRange = (v: number, r: { min?: number; max?: number } | undefined) => !r || ((r.min === undefined || v >= r.min) && (r.max === undefined || v <= r.max));

/** The rows the filter keeps; a row without a numeric value for a ranged parameter is dropped. */
export function filterRows<R extends InsightRow>(rows: readonly R[], axes: readonly ParallelAxis[], f: TrialFilter): R[] {
  return rows.filter((r) => {
    if (!inRange(r.value, f.value)) return false;
    for (const a of axes) {
      const v = r.params[a.name];
      if (a.type === 'categorical') {
        const allowed = f.choices[a.name];
        if (allowed && allowed.length > 0 && !allowed.includes(String(v))) return false;
      } else if (f.ranges[a.name] && (f.ranges[a.name].min !== undefined || f.ranges[a.name].max !== undefined)) {
        if (typeof v !== 'number' || !inRange(v, f.ranges[a.name])) return false;
      }
    }
    return true;
  });
}

/** A number typed in a filter box: undefined when empty or not a number (the bound is then open). */
export function parseBound(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
