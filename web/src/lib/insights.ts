import type { ParallelAxis } from '@stepwise/service/service-types';
import type { TSpace } from '@stepwise/core';
/**
 * Pure helpers of the study page's insight panels (proposal labels, intervals, heatmap cells,
 * chart data). Kept out of the components so they can be tested without a browser.
 */

export interface ProposalLike {
  kind: string;
  acquisitionValue?: number | null;
  method?: string;
}

/** Compact number for narrow cells: 1.2e-3, 0.53, -5.3, 4.1e+4. */
export function shortNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-2 || a >= 1e4)) return v.toExponential(1);
  return String(Number(v.toPrecision(2)));
}

/** Why a trial was proposed, as the trial table shows it: "initial", "acq 1.2e-3", or the kind. */
export function proposalLabel(p: ProposalLike | null | undefined): string {
  if (!p) return '';
  if (p.kind === 'acquisition') return p.acquisitionValue == null ? 'acq' : `acq ${shortNumber(p.acquisitionValue)}`;
  return p.kind;
}

export function proposalTitle(p: (ProposalLike & { observations?: number; pending?: number }) | null | undefined): string | undefined {
  if (!p) return undefined;
  const parts = [p.kind === 'initial' ? 'initial design point' : p.kind === 'acquisition' ? 'maximiser of the acquisition function' : p.kind];
  if (p.method) parts.push(`method ${p.method}`);
  if (p.acquisitionValue != null) parts.push(`acquisition value ${p.acquisitionValue}`);
  if (p.observations !== undefined) parts.push(`${p.observations} observations`);
  if (p.pending !== undefined) parts.push(`${p.pending} pending`);
  return parts.join(', ');
}

/** Half-width of [lo, hi], or null when either end is missing. */
export function halfWidth(lo: number | null | undefined, hi: number | null | undefined): number | null {
  return lo == null || hi == null ? null : (hi - lo) / 2;
}

/**
 * Cell boundaries around grid coordinates: midpoints between neighbours (geometric means on a
 * log axis), the outer cells clipped to [low, high]. Returns resolution + 1 edges.
 */
export function cellEdges(values: readonly number[], low: number, high: number, log: boolean): number[] {
  if (values.length === 0) return [];
  const mid = (a: number, b: number) => (log ? Math.sqrt(a * b) : (a + b) / 2);
  const edges = [low];
  for (let i = 1; i < values.length; i++) edges.push(mid(values[i - 1], values[i]));
  edges.push(high);
  return edges;
}

/** Heatmap rectangles [x0, x1, y0, y1, z, ix, iy] of a [iy][ix] surface. */
export function heatmapCells(
  surface: readonly (readonly number[])[],
  x: { values: readonly number[]; low: number; high: number; log: boolean },
  y: { values: readonly number[]; low: number; high: number; log: boolean },
): number[][] {
  const ex = cellEdges(x.values, x.low, x.high, x.log);
  const ey = cellEdges(y.values, y.low, y.high, y.log);
  const cells: number[][] = [];
  surface.forEach((row, iy) => row.forEach((z, ix) => cells.push([ex[ix], ex[ix + 1], ey[iy], ey[iy + 1], z, ix, iy])));
  return cells;
}

export interface BlockPointLike {
  n: number;
  mean: number;
  ciLow: number | null;
  ciHigh: number | null;
}

/** Band segments between consecutive blocks that both have an interval: [n0, lo0, hi0, n1, lo1, hi1]. */
export function bandSegments(points: readonly BlockPointLike[]): number[][] {
  const out: number[][] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1], b = points[i];
    if (a.ciLow == null || a.ciHigh == null || b.ciLow == null || b.ciHigh == null) continue;
    out.push([a.n, a.ciLow, a.ciHigh, b.n, b.ciLow, b.ciHigh]);
  }
  return out;
}

/** One parallel-coordinates line: parameter values in axis order (categoricals as strings), then the value. */
export function parallelLine(axes: readonly ParallelAxis[], params: Record<string, string | number | boolean | Record<string, unknown>>, value: number): Array<string | number | null> {
  const line: Array<string | number | null> = axes.map((a) => {
    const v = params[a.name];
    if (v === undefined) return null;
    return a.type === 'categorical' ? String(v) : Number(v);
  });
  line.push(value);
  return line;
}

/** The study's space as the parallel-coordinates axes describe it (what the core insight functions take). */
export function axesToSpace(axes: readonly ParallelAxis[]): TSpace {
  return axes.map((a): TSpace[number] =>
    a.type === 'categorical'
      ? { name: a.name, type: 'categorical', choices: a.choices ?? [] }
      : a.type === 'int'
        ? { name: a.name, type: 'int', low: a.low ?? 0, high: a.high ?? 1, log: a.log }
        : { name: a.name, type: 'float', low: a.low ?? 0, high: a.high ?? 1, log: a.log, gridPoints: 10 },
  );
}

/**
 * Axis-name and tick-label layout of a parallel-coordinates chart `width` px wide with `axes`
 * axes (plus the value axis), such that neighbours never overlap: names are truncated to the
 * spacing between axes, and turned 45° (with twice the room) once that spacing is under 90 px;
 * tick labels are dropped once it is under 40 px (the tooltip still has every value).
 */
export function parallelLabelLayout(width: number, axes: number, margins = { left: 56, right: 96 }) {
  const spacing = Math.max(1, (width - margins.left - margins.right) / Math.max(1, axes));
  const rotate = spacing < 90;
  // A name turned 45° takes spacing·√2 along its baseline before it reaches the next one's.
  const nameWidth = Math.max(24, Math.floor((rotate ? spacing * Math.SQRT2 : spacing) - 10));
  return { spacing, nameRotate: rotate ? 45 : 0, nameWidth, showTickLabels: spacing >= 40, tickWidth: Math.max(20, Math.floor(spacing - 8)) };
}
