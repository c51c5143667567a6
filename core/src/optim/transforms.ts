import { minimizeLbfgs, type LbfgsOptions, type LbfgsResult, type ObjectiveWithGradient } from './lbfgs';

/**
 * Positive parameters (length scales, variances) are optimised as their logarithms: the search
 * is unconstrained in u = log p and the chain rule is dg/du = p * dg/dp.
 */
export function minimizePositive(
  fn: ObjectiveWithGradient,
  p0: ArrayLike<number>,
  options: Omit<LbfgsOptions, 'lower' | 'upper'> & { lower?: ArrayLike<number>; upper?: ArrayLike<number> } = {},
): LbfgsResult {
  const n = p0.length;
  const p = new Float64Array(n);
  const gp = new Float64Array(n);
  const u0 = Float64Array.from(p0, (v) => Math.log(v));
  const toLog = (b: ArrayLike<number> | undefined) => (b ? Float64Array.from(b as ArrayLike<number>, (v) => (v > 0 ? Math.log(v) : -Infinity)) : undefined);
  const result = minimizeLbfgs(
    (u, gu) => {
      for (let i = 0; i < n; i++) p[i] = Math.exp(u[i]);
      const f = fn(p, gp);
      for (let i = 0; i < n; i++) gu[i] = gp[i] * p[i];
      return f;
    },
    u0,
    { ...options, lower: toLog(options.lower), upper: toLog(options.upper) },
  );
  const x = result.x.map((u) => Math.exp(u));
  const grad = result.grad.map((gu, i) => gu / x[i]);
  return { ...result, x, grad };
}

/** Map an unconstrained u to (low, high) by a logistic, and back; for callers that prefer it to bounds. */
export function logisticToBox(u: number, low: number, high: number): number {
  return low + (high - low) / (1 + Math.exp(-u));
}

export function boxToLogistic(v: number, low: number, high: number): number {
  const t = (v - low) / (high - low);
  return Math.log(t / (1 - t));
}
