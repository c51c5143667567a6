import { EstimationError, requireProbability } from './errors';
import { checkBounds, empiricalBernsteinInterval, tInterval, type Bounds, type Estimate } from './intervals';
import type { RunningStats } from './running-stats';

/**
 * Sequential stopping: draw blocks of seeds until the confidence interval is narrow enough or the
 * sample cap is reached.
 *
 * Validity under repeated looks differs by method, and the choice is the user's:
 * - 't': the Chow-Robbins fixed-width rule. No correction for looking after every block; coverage
 *   at the stopping time is asymptotically nominal as the target shrinks, and the tests measure it
 *   (normal, exponential and Bernoulli data: within 93-97% for a 95% interval). It can stop on a
 *   zero-variance run (e.g. a rare event never seen yet): raise minSamples or use the next method.
 * - 'empirical-bernstein': needs known bounds; the error probability is split evenly over the
 *   at most `maxLooks(policy)` looks the schedule makes (Bonferroni), so the interval reported at
 *   the stop covers with probability >= confidence whatever the data (conservative).
 */
export interface StoppingPolicy {
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Seeds per block after minSamples; the last block is cut to maxSamples. */
  readonly blockSize: number;
  /** Two-sided confidence level, e.g. 0.95. */
  readonly confidence: number;
  /** Stop once the half-width is at most this (absolute units). */
  readonly targetHalfWidth?: number;
  /** Stop once the half-width is at most this fraction of |mean|. With both targets, either suffices. */
  readonly targetRelHalfWidth?: number;
  readonly method?: 't' | 'empirical-bernstein';
  /** Known range of every sample; required by 'empirical-bernstein'. */
  readonly bounds?: Bounds;
}

export type StopReason = 'target' | 'cap' | 'continue';

export interface StoppingDecision {
  readonly stop: boolean;
  readonly reason: StopReason;
  /** Samples to draw next (0 when stopping). */
  readonly nextBlock: number;
  /** The current estimate; null until minSamples are in. */
  readonly estimate: Estimate | null;
  /** Half-width the policy asks for at the current mean (null for a fixed-n policy). */
  readonly targetHalfWidth: number | null;
  /** Total n at which the target would be met if the spread stayed as it is (informational). */
  readonly projectedN: number | null;
}

function isPositiveInteger(x: number): boolean {
  return Number.isInteger(x) && x > 0;
}

/** Throws an `invalid-input` EstimationError naming the first bad field. */
export function validateStoppingPolicy(policy: StoppingPolicy): void {
  const fail = (msg: string): never => {
    throw new EstimationError('invalid-input', `stopping policy: ${msg}`);
  };
  if (!isPositiveInteger(policy.minSamples) || policy.minSamples < 2) fail(`minSamples must be an integer >= 2, got ${policy.minSamples}`);
  if (!Number.isInteger(policy.maxSamples) || policy.maxSamples < policy.minSamples) {
    fail(`maxSamples must be an integer >= minSamples (${policy.minSamples}), got ${policy.maxSamples}`);
  }
  if (!isPositiveInteger(policy.blockSize)) fail(`blockSize must be a positive integer, got ${policy.blockSize}`);
  requireProbability(policy.confidence, 'stopping policy: confidence');
  const { targetHalfWidth: abs, targetRelHalfWidth: rel } = policy;
  if (abs !== undefined && !(abs > 0 && Number.isFinite(abs))) fail(`targetHalfWidth must be a positive number, got ${abs}`);
  if (rel !== undefined && !(rel > 0 && Number.isFinite(rel))) fail(`targetRelHalfWidth must be a positive number, got ${rel}`);
  if (abs === undefined && rel === undefined && policy.minSamples < policy.maxSamples) {
    fail('give targetHalfWidth or targetRelHalfWidth (or set minSamples = maxSamples for a fixed-n run)');
  }
  if (policy.bounds) checkBounds(policy.bounds);
  if (policy.method === 'empirical-bernstein' && !policy.bounds) fail("method 'empirical-bernstein' needs bounds { lower, upper }");
}

/** Looks the schedule makes at most: one at minSamples, then one per block up to maxSamples. */
export function maxLooks(policy: StoppingPolicy): number {
  return 1 + Math.ceil((policy.maxSamples - policy.minSamples) / policy.blockSize);
}

/** The estimate the policy reports for these statistics (needs n >= 2). */
export function policyEstimate(policy: StoppingPolicy, stats: RunningStats): Estimate {
  if (policy.method === 'empirical-bernstein') {
    const bounds = policy.bounds as Bounds;
    const perLook = 1 - (1 - policy.confidence) / maxLooks(policy);
    return { ...empiricalBernsteinInterval(stats, bounds, perLook), confidence: policy.confidence };
  }
  return tInterval(stats, policy.confidence);
}

function hasTarget(policy: StoppingPolicy): boolean {
  return policy.targetHalfWidth !== undefined || policy.targetRelHalfWidth !== undefined;
}

/** The half-width asked for at this mean; null when the policy has no target (fixed n). */
function targetFor(policy: StoppingPolicy, mean: number): number | null {
  if (!hasTarget(policy)) return null;
  const abs = policy.targetHalfWidth ?? 0;
  const rel = policy.targetRelHalfWidth === undefined ? 0 : policy.targetRelHalfWidth * Math.abs(mean);
  return Math.max(abs, rel);
}

/** Decide after a block: stop (target met or cap reached) or how many samples to draw next. */
export function decide(policy: StoppingPolicy, stats: RunningStats): StoppingDecision {
  validateStoppingPolicy(policy);
  if (stats.n < policy.minSamples) return beforeMinimum(policy, stats.n, stats.n >= 2 ? policyEstimate(policy, stats) : null);
  return decideFromEstimate(policy, policyEstimate(policy, stats));
}

/**
 * The same decision from an estimate computed elsewhere (e.g. a control-variate estimate from
 * `controlVariateFromStats`, or a paired comparison): only its n, mean and halfWidth are used.
 */
export function decideFromEstimate(policy: StoppingPolicy, estimate: Estimate): StoppingDecision {
  validateStoppingPolicy(policy);
  const { n } = estimate;
  if (n < policy.minSamples) return beforeMinimum(policy, n, estimate);
  const target = targetFor(policy, estimate.mean);
  const projectedN = target !== null && target > 0 ? Math.ceil(n * (estimate.halfWidth / target) ** 2) : null;
  const decision = { estimate, targetHalfWidth: target, projectedN };
  if (target !== null && estimate.halfWidth <= target) return { stop: true, reason: 'target', nextBlock: 0, ...decision };
  if (n >= policy.maxSamples) return { stop: true, reason: 'cap', nextBlock: 0, ...decision };
  return { stop: false, reason: 'continue', nextBlock: Math.min(policy.blockSize, policy.maxSamples - n), ...decision };
}

function beforeMinimum(policy: StoppingPolicy, n: number, estimate: Estimate | null): StoppingDecision {
  const nextBlock = Math.min(policy.maxSamples - n, Math.max(policy.blockSize, policy.minSamples - n));
  return { stop: false, reason: 'continue', nextBlock, estimate, targetHalfWidth: estimate ? targetFor(policy, estimate.mean) : null, projectedN: null };
}
