import type { ParallelAxis } from '@stepwise/service/service-types';
import { formatValue } from './format';

/**
 * Conditional parameters on the parallel-coordinates chart. A completed trial leaves out every
 * parameter that is inactive for it, so on that parameter's axis its line has no value; drawing
 * it at 0, at the axis end or not at all would each misread. Instead an axis with such trials
 * gets its own "inactive" tick: an extra category after the choices, or on a numeric axis a
 * position a gap below `low` (outside the domain, so no real value can land there), labelled
 * "inactive".
 */

export const INACTIVE_LABEL = 'inactive';
/** Gap between the domain's low end and the inactive tick, as a fraction of the axis range. */
const GAP = 0.2;

type Params = Record<string, string | number | boolean | Record<string, unknown>>;

/** Per axis, whether some row lacks that parameter (it is inactive for that trial). */
export function inactiveAxes(axes: readonly ParallelAxis[], rows: ReadonlyArray<{ params: Params }>): boolean[] {
  return axes.map((a) => rows.some((r) => r.params[a.name] === undefined));
}

/** Where a numeric axis puts its inactive tick: GAP of the range below low (of the log range on a log axis). */
export function inactivePosition(a: Pick<ParallelAxis, 'low' | 'high' | 'log'>): number {
  const low = a.low ?? 0, high = a.high ?? low + 1;
  if (a.log && low > 0 && high > low) return low / Math.pow(high / low, GAP);
  return low - GAP * (high > low ? high - low : 1);
}

/** One line's value on an axis: the parameter's value, or the axis's inactive tick when the trial does not use it. */
export function axisValue(a: ParallelAxis, v: Params[string] | undefined, inactive: boolean): string | number | null {
  if (v === undefined) return inactive ? (a.type === 'categorical' ? INACTIVE_LABEL : inactivePosition(a)) : null;
  return a.type === 'categorical' ? String(v) : Number(v);
}

/** ECharts axis settings for an axis with inactive trials: the extra category, or the lowered min and its label. */
export function inactiveAxisPatch(a: ParallelAxis): Record<string, unknown> {
  if (a.type === 'categorical') return { data: [...(a.choices ?? []).map(String), INACTIVE_LABEL] };
  const pos = inactivePosition(a);
  // The tick at the axis minimum is the inactive one; a tiny tolerance for the scale's rounding.
  const tol = Math.abs(pos) * 1e-9 + 1e-12;
  return {
    min: pos,
    axisLabel: { showMinLabel: true, formatter: (v: number) => (v <= pos + tol ? INACTIVE_LABEL : formatValue(v, 4)) },
  };
}
