import type { TParams, TSpace } from '../config/space';
import type { SurrogateObservation } from '../contracts/insights';
import { fitSurrogate } from './surrogate';

/**
 * Parameter importances, with the method named beside the numbers (they mean different things):
 * - 'variance-share': fANOVA-style first-order decomposition without a model: each parameter's
 *   range is cut into quantile bins (a categorical's choices are its bins), and its share is the
 *   variance of the bin means over the variance of all values (how much of the spread that
 *   parameter alone explains). Any study kind, any sampler.
 * - 'gp-ard': the inverse ARD lengthscales of a Matérn-5/2 GP fitted to the trials (on the unit
 *   cube the encoding maps every parameter to): a short lengthscale means the value changes fast
 *   along that parameter. What bayesopt's own model believes.
 * Shares are normalised to sum to 1.
 */

export type ImportanceMethod = 'variance-share' | 'gp-ard';

export interface ParamImportance {
  name: string;
  importance: number;
}

export interface ImportanceResult {
  method: ImportanceMethod;
  /** Sorted, most important first. */
  params: ParamImportance[];
  trialsUsed: number;
}

export const IMPORTANCE_METHOD_LABEL: Record<ImportanceMethod, string> = {
  'variance-share': 'first-order variance share of binned main effects (fANOVA-style, no model)',
  'gp-ard': 'inverse ARD lengthscales of a Matérn-5/2 GP',
};

function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
}

function normalise(method: ImportanceMethod, raw: ParamImportance[], trialsUsed: number): ImportanceResult {
  const total = raw.reduce((a, p) => a + p.importance, 0);
  const params = raw.map((p) => ({ name: p.name, importance: total > 0 ? p.importance / total : 0 })).sort((a, b) => b.importance - a.importance);
  return { method, params, trialsUsed };
}

/** Bin key of one parameter value: the choice itself, or the index of its quantile bin. */
function binner(values: readonly TParams[keyof TParams][], bins: number): (v: TParams[keyof TParams]) => string {
  const nums = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (nums.length !== values.length) return (v) => String(v);
  const distinct = new Set(nums).size;
  if (distinct <= bins) return (v) => String(v);
  const edges = Array.from({ length: bins - 1 }, (_, i) => nums[Math.floor(((i + 1) * nums.length) / bins)]);
  return (v) => {
    let b = 0;
    while (b < edges.length && (v as number) >= edges[b]) b++;
    return String(b);
  };
}

/** Model-free first-order variance shares; null below 4 trials or when every value is equal. */
export function varianceShareImportance(space: TSpace, rows: ReadonlyArray<{ params: TParams; value: number }>, bins = 8): ImportanceResult | null {
  const usable = rows.filter((r) => Number.isFinite(r.value));
  const total = variance(usable.map((r) => r.value));
  if (usable.length < 4 || !(total > 0)) return null;
  const nBins = Math.max(2, Math.min(bins, Math.floor(usable.length / 4)));
  const raw = space.map((p) => {
    const present = usable.filter((r) => r.params[p.name] !== undefined);
    if (present.length < 4) return { name: p.name, importance: 0 };
    const key = binner(present.map((r) => r.params[p.name]), nBins);
    const groups = new Map<string, number[]>();
    for (const r of present) {
      const k = key(r.params[p.name]);
      const g = groups.get(k);
      if (g) g.push(r.value);
      else groups.set(k, [r.value]);
    }
    const mean = present.reduce((a, r) => a + r.value, 0) / present.length;
    let between = 0;
    for (const g of groups.values()) between += (g.length / present.length) * (g.reduce((a, b) => a + b, 0) / g.length - mean) ** 2;
    return { name: p.name, importance: between / total };
  });
  return normalise('variance-share', raw, usable.length);
}

/** Inverse ARD lengthscales of the surrogate GP; null when it cannot be fitted (under 3 points). */
export function gpArdImportance(
  space: TSpace,
  observations: readonly SurrogateObservation[],
  direction: 'minimize' | 'maximize',
  opts: { state?: unknown; seed?: number } = {},
): ImportanceResult | null {
  const fit = fitSurrogate(space, observations, direction, opts);
  if (!fit) return null;
  // theta = [log l_1 .. log l_d, log signal variance, ...]: one coordinate per parameter.
  const raw = space.map((p, i) => ({ name: p.name, importance: Math.exp(-fit.model.theta[i]) }));
  return normalise('gp-ard', raw, fit.used.length);
}
