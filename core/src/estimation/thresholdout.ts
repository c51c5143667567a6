import { CounterRng } from '../rng';
import { EstimationError, ThresholdoutBudgetExhaustedError, requireFinite } from './errors';
import { sampleLaplace, type UniformSource } from './random';

/**
 * Thresholdout (Dwork, Feldman, Hardt, Pitassi, Reingold & Roth, "Preserving Statistical Validity
 * in Adaptive Data Analysis" / Science 2015) guards a holdout set that a search queries repeatedly.
 *
 *   T_hat = T + Lap(2 sigma)
 *   per query (training value t, holdout value h):
 *     refuse if the budget is spent;
 *     if |h - t| > T_hat + Lap(4 sigma): answer h + Lap(sigma), spend one unit, redraw T_hat;
 *     else answer t.
 *
 * The state is plain JSON (a DB row). Noise comes from an injected UniformSource, or by default
 * from CounterRng(seed, query index): the answer is then a pure function of (state, query), so
 * a replayed workflow or a retried activity gets the same answer.
 */

export interface ThresholdoutConfig {
  /** Threshold T on |holdout - training|, in the query's units (e.g. accuracy). */
  readonly threshold: number;
  /** Noise scale sigma. */
  readonly sigma: number;
  /** Over-threshold answers allowed before the holdout is refused. */
  readonly budget: number;
  /** Seed of the default noise streams. */
  readonly seed: number;
}

export interface ThresholdoutState {
  readonly version: 1;
  readonly config: ThresholdoutConfig;
  /** The current noisy threshold T_hat. */
  readonly noisyThreshold: number;
  readonly queries: number;
  readonly budgetUsed: number;
}

export interface ThresholdoutQuery {
  /** The statistic on the training set (e.g. training accuracy of the candidate). */
  readonly train: number;
  /** The same statistic on the holdout set. */
  readonly holdout: number;
}

export interface ThresholdoutAnswer {
  readonly value: number;
  /** True when the answer came from the holdout (with noise) and spent budget. */
  readonly overThreshold: boolean;
  readonly budgetRemaining: number;
  readonly state: ThresholdoutState;
}

function validateConfig(config: ThresholdoutConfig): void {
  requireFinite(config.threshold, 'threshold');
  requireFinite(config.sigma, 'sigma');
  if (!(config.threshold >= 0)) throw new EstimationError('invalid-input', `threshold must be >= 0, got ${config.threshold}`);
  if (!(config.sigma > 0)) throw new EstimationError('invalid-input', `sigma must be > 0, got ${config.sigma}`);
  if (!Number.isInteger(config.budget) || config.budget < 1) throw new EstimationError('invalid-input', `budget must be a positive integer, got ${config.budget}`);
  if (!Number.isInteger(config.seed) || config.seed < 0) throw new EstimationError('invalid-input', `seed must be a non-negative integer, got ${config.seed}`);
}

/** Stream 0 draws the first threshold noise; query q (0-based) draws from stream q + 1. */
function defaultRng(config: ThresholdoutConfig, stream: number): UniformSource {
  return new CounterRng(config.seed, stream);
}

export function createThresholdout(config: ThresholdoutConfig, rng?: UniformSource): ThresholdoutState {
  validateConfig(config);
  const noise = rng ?? defaultRng(config, 0);
  return { version: 1, config, noisyThreshold: config.threshold + sampleLaplace(noise, 2 * config.sigma), queries: 0, budgetUsed: 0 };
}

export function thresholdoutBudgetRemaining(state: ThresholdoutState): number {
  return state.config.budget - state.budgetUsed;
}

/**
 * Answer one query; throws ThresholdoutBudgetExhaustedError (code 'budget-exhausted') once the
 * budget is spent. Returns the new state with the answer; the input state is not modified.
 */
export function thresholdoutQuery(state: ThresholdoutState, query: ThresholdoutQuery, rng?: UniformSource): ThresholdoutAnswer {
  const { config } = state;
  if (state.budgetUsed >= config.budget) throw new ThresholdoutBudgetExhaustedError(state.queries, config.budget);
  requireFinite(query.train, 'training value');
  requireFinite(query.holdout, 'holdout value');
  const noise = rng ?? defaultRng(config, state.queries + 1);
  const gap = Math.abs(query.holdout - query.train);
  if (gap > state.noisyThreshold + sampleLaplace(noise, 4 * config.sigma)) {
    const value = query.holdout + sampleLaplace(noise, config.sigma);
    const next: ThresholdoutState = {
      ...state,
      noisyThreshold: config.threshold + sampleLaplace(noise, 2 * config.sigma),
      queries: state.queries + 1,
      budgetUsed: state.budgetUsed + 1,
    };
    return { value, overThreshold: true, budgetRemaining: thresholdoutBudgetRemaining(next), state: next };
  }
  const next: ThresholdoutState = { ...state, queries: state.queries + 1 };
  return { value: query.train, overThreshold: false, budgetRemaining: thresholdoutBudgetRemaining(next), state: next };
}
