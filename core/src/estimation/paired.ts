import { EstimationError } from './errors';
import { tInterval, type Estimate } from './intervals';
import { bivariateStatsOf, differenceStats, sampleCorrelation, type BivariateStats } from './running-stats';

/**
 * Paired comparisons under common random numbers: candidates A and B evaluated on the same seeds,
 * compared through the per-seed differences A - B. Shared noise cancels in the differences, so
 * the interval is narrower than the unpaired one by the factor sqrt(varianceRatio).
 */

export interface SeedValue {
  readonly seed: number;
  readonly value: number;
}

export interface AlignedPairs {
  readonly seeds: number[];
  /** x[i] and y[i] were both produced on seeds[i]. */
  readonly x: number[];
  readonly y: number[];
  /** Samples present on one side only (dropped: they carry no paired information). */
  readonly unmatchedX: number;
  readonly unmatchedY: number;
}

/** Join two sets of per-seed results on the seed, in ascending seed order. */
export function alignBySeed(xs: readonly SeedValue[], ys: readonly SeedValue[]): AlignedPairs {
  const byseed = new Map<number, number>();
  for (const { seed, value } of ys) {
    if (byseed.has(seed)) throw new EstimationError('invalid-input', `seed ${seed} appears twice in the second sample set`);
    byseed.set(seed, value);
  }
  const seen = new Set<number>();
  const matched: [number, number, number][] = [];
  for (const { seed, value } of xs) {
    if (seen.has(seed)) throw new EstimationError('invalid-input', `seed ${seed} appears twice in the first sample set`);
    seen.add(seed);
    const other = byseed.get(seed);
    if (other !== undefined) matched.push([seed, value, other]);
  }
  matched.sort((a, b) => a[0] - b[0]);
  return {
    seeds: matched.map((m) => m[0]),
    x: matched.map((m) => m[1]),
    y: matched.map((m) => m[2]),
    unmatchedX: xs.length - matched.length,
    unmatchedY: ys.length - matched.length,
  };
}

export interface PairedComparison extends Estimate {
  /** Mean of x and of y over the paired seeds; `mean` is their difference x - y. */
  readonly meanX: number;
  readonly meanY: number;
  /** Correlation of x and y across seeds (NaN if either is constant). */
  readonly correlation: number;
  /**
   * (var x + var y) / var(x - y): how many times more samples two independent runs would need for
   * the same precision of the difference (1: no gain from common random numbers; NaN if var(x - y) = 0).
   */
  readonly varianceRatio: number;
}

/** Paired t-interval for E[x - y] from bivariate statistics of seed-aligned samples. */
export function pairedComparison(stats: BivariateStats, confidence: number): PairedComparison {
  const diff = differenceStats(stats);
  const interval = tInterval(diff, confidence);
  const unpaired = stats.m2X + stats.m2Y;
  return {
    ...interval,
    method: 'paired-t',
    meanX: stats.meanX,
    meanY: stats.meanY,
    correlation: sampleCorrelation(stats),
    varianceRatio: diff.m2 > 0 ? unpaired / diff.m2 : Number.NaN,
  };
}

/** Paired t-interval straight from two equal-length arrays of seed-aligned samples. */
export function comparePaired(x: ArrayLike<number>, y: ArrayLike<number>, confidence: number): PairedComparison {
  return pairedComparison(bivariateStatsOf(x, y), confidence);
}
