import type { StepwiseOutputs } from '../index';
import { formatNumber, table } from './format';

/** `stepwise show` for a multi-objective study: the stored Pareto front and its hypervolume. */

export type ParetoView = StepwiseOutputs['studies']['pareto'];

/** Front rows printed before "... more" (the JSON output has all of them). */
export const FRONT_ROWS_SHOWN = 50;

const paramText = (v: unknown) => (typeof v === 'number' ? formatNumber(v) : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Whether a study's config lists several objectives (so `show` asks for its front). */
export function hasObjectives(config: unknown): boolean {
  const list = (config as { objectives?: unknown } | null)?.objectives;
  return Array.isArray(list) && list.length >= 2;
}

export function formatParetoFront(view: ParetoView): string {
  const arrow = (d: string) => (d === 'minimize' ? '(min)' : '(max)');
  const headers = ['trial', ...view.objectives.map((o) => `${o.metric} ${arrow(o.direction)}`), 'params'];
  // Sorted by the first objective, best first: the front then reads as one trade-off curve.
  const sign = view.objectives[0]?.direction === 'maximize' ? -1 : 1;
  const sorted = [...view.front].sort((a, b) => sign * (a.values[0] - b.values[0]) || a.number - b.number);
  const rows = sorted.slice(0, FRONT_ROWS_SHOWN).map((t) => [
    `#${t.number}`,
    ...t.values.map((v) => formatNumber(v)),
    Object.entries(t.params).map(([k, v]) => `${k}=${paramText(v)}`).join(' '),
  ]);
  const right = new Set(view.objectives.map((_, k) => k + 1));
  const more = sorted.length > FRONT_ROWS_SHOWN ? `... ${sorted.length - FRONT_ROWS_SHOWN} more on the front (stepwise show --json lists all)\n` : '';
  const ref = `reference point [${view.reference.point.map((v) => formatNumber(v)).join(', ')}]: ${view.reference.note}`;
  return (
    `Pareto front: ${view.front.length} of ${view.completed} completed trials\n` +
    table(headers, rows, right) +
    more +
    `hypervolume ${formatNumber(view.hypervolume)} (${ref})\n`
  );
}
