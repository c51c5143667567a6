import { studentTQuantile } from './distributions';
import { EstimationError, requireFinite, requireProbability } from './errors';
import { sampleVariance, type RunningStats } from './running-stats';

export type IntervalMethod = 't' | 'empirical-bernstein' | 'control-variates' | 'paired-t';

/** A point estimate with its two-sided confidence interval. Plain data, JSON-safe. */
export interface Estimate {
  readonly mean: number;
  /** Estimated standard error of `mean`. */
  readonly stderr: number;
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly halfWidth: number;
  readonly n: number;
  readonly confidence: number;
  readonly method: IntervalMethod;
}

export interface Bounds {
  readonly lower: number;
  readonly upper: number;
}

function requireSamples(stats: RunningStats, min: number, what: string): void {
  if (stats.n < min) throw new EstimationError('insufficient-data', `${what} needs at least ${min} samples, got ${stats.n}`);
}

export function checkBounds(bounds: Bounds): void {
  requireFinite(bounds.lower, 'bounds.lower');
  requireFinite(bounds.upper, 'bounds.upper');
  if (!(bounds.upper > bounds.lower)) {
    throw new EstimationError('invalid-input', `bounds.upper (${bounds.upper}) must exceed bounds.lower (${bounds.lower})`);
  }
}

/**
 * Student-t interval mean +- t_{1-alpha/2, n-1} s / sqrt(n). Exact for normal data, asymptotically
 * valid otherwise (it under-covers for small n and strongly skewed data).
 */
export function tInterval(stats: RunningStats, confidence: number): Estimate {
  requireProbability(confidence, 'confidence');
  requireSamples(stats, 2, 'a t-interval');
  const stderr = Math.sqrt(sampleVariance(stats) / stats.n);
  const halfWidth = studentTQuantile(0.5 + confidence / 2, stats.n - 1) * stderr;
  return { mean: stats.mean, stderr, ciLow: stats.mean - halfWidth, ciHigh: stats.mean + halfWidth, halfWidth, n: stats.n, confidence, method: 't' };
}

/**
 * Half-width of the empirical-Bernstein bound (Maurer & Pontil 2009, Theorem 4) for samples in
 * [lower, upper], one side at level `alphaPerSide`:
 *   sqrt(2 V ln(2/alpha) / n) + 7 R ln(2/alpha) / (3 (n - 1)),  V the unbiased sample variance.
 */
export function empiricalBernsteinHalfWidth(stats: RunningStats, range: number, alphaPerSide: number): number {
  requireSamples(stats, 2, 'an empirical-Bernstein bound');
  const logTerm = Math.log(2 / alphaPerSide);
  return Math.sqrt((2 * sampleVariance(stats) * logTerm) / stats.n) + (7 * range * logTerm) / (3 * (stats.n - 1));
}

/**
 * Empirical-Bernstein interval for a mean of samples known to lie in [lower, upper]: valid for
 * every n without any distributional assumption (conservative), clipped to the bounds.
 * Two-sided: each side at level (1 - confidence) / 2.
 */
export function empiricalBernsteinInterval(stats: RunningStats, bounds: Bounds, confidence: number): Estimate {
  requireProbability(confidence, 'confidence');
  checkBounds(bounds);
  const halfWidth = empiricalBernsteinHalfWidth(stats, bounds.upper - bounds.lower, (1 - confidence) / 2);
  const stderr = Math.sqrt(sampleVariance(stats) / stats.n);
  return {
    mean: stats.mean,
    stderr,
    ciLow: Math.max(bounds.lower, stats.mean - halfWidth),
    ciHigh: Math.min(bounds.upper, stats.mean + halfWidth),
    halfWidth,
    n: stats.n,
    confidence,
    method: 'empirical-bernstein',
  };
}
