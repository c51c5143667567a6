'use client';

import { formatCount, formatValue } from '../lib/format';

/**
 * Holdout results a grid, random or bayesopt study keeps in its strategy state (studies.get →
 * `strategy`): `final`, the best search trial re-evaluated on the holdout seeds, and
 * `thresholdout`, the guard the search consults, with its budget.
 */

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface FinalView {
  start: number;
  size: number;
  mean: number;
  halfWidth: number | null;
  n: number;
  trialNumber: number | null;
  searchMean: number | null;
}

export interface ThresholdoutView {
  remaining: number;
  total: number;
  queries: number;
}

export function readFinal(strategy: unknown): FinalView | null {
  if (!isObj(strategy) || !isObj(strategy.final) || !isObj(strategy.final.holdout)) return null;
  const f = strategy.final;
  const h = f.holdout as Record<string, unknown>;
  const start = num(h.start), size = num(h.size), mean = num(f.mean), n = num(f.n);
  if (start === null || size === null || mean === null || n === null) return null;
  const lo = num(f.ciLow), hi = num(f.ciHigh);
  return { start, size, mean, n, halfWidth: lo !== null && hi !== null ? (hi - lo) / 2 : null, trialNumber: num(f.trialNumber), searchMean: num(f.searchMean) };
}

export function readThresholdout(strategy: unknown): ThresholdoutView | null {
  if (!isObj(strategy) || !isObj(strategy.thresholdout)) return null;
  const t = strategy.thresholdout;
  const state = isObj(t.state) ? t.state : {};
  const config = isObj(state.config) ? state.config : {};
  const total = num(t.budget) ?? num(config.budget);
  const remaining = num(t.budgetRemaining);
  if (total === null || remaining === null) return null;
  return { remaining, total, queries: Array.isArray(t.queries) ? t.queries.length : 0 };
}

export function HoldoutLines({ strategy }: { strategy: unknown }) {
  const final = readFinal(strategy);
  const guard = readThresholdout(strategy);
  if (!final && !guard) return null;
  return (
    <div style={{ marginTop: 10 }}>
      {final && (
        <div>
          <span data-testid="final-holdout">
            Final (holdout seeds {final.start}..{final.start + final.size - 1}): {formatValue(final.mean)}
            {final.halfWidth !== null && ` ± ${formatValue(final.halfWidth, 3)}`} (n = {formatCount(final.n)})
          </span>
          <span className="muted">
            {final.trialNumber !== null && ` · trial #${final.trialNumber}`}
            {final.searchMean !== null && ` · search estimate ${formatValue(final.searchMean)}`}
          </span>
        </div>
      )}
      {guard && (
        <div>
          <span data-testid="thresholdout-budget">
            Thresholdout budget: {formatCount(guard.remaining)} / {formatCount(guard.total)}
          </span>
          <span className="muted"> · {formatCount(guard.queries)} {guard.queries === 1 ? 'query' : 'queries'} answered</span>
        </div>
      )}
    </div>
  );
}
