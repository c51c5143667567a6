/**
 * Typed errors of the estimation library. Activities map `invalid-input` and `budget-exhausted`
 * to non-retryable failures: retrying the same call cannot succeed.
 */
export type EstimationErrorCode =
  | 'invalid-input'
  | 'insufficient-data'
  | 'singular'
  | 'out-of-order'
  | 'budget-exhausted';

export class EstimationError extends Error {
  readonly code: EstimationErrorCode;

  constructor(code: EstimationErrorCode, message: string) {
    super(message);
    this.name = 'EstimationError';
    this.code = code;
  }
}

/** Thresholdout refuses further holdout queries once its overfitting budget is spent. */
export class ThresholdoutBudgetExhaustedError extends EstimationError {
  readonly queriesAnswered: number;

  constructor(queriesAnswered: number, budget: number) {
    super(
      'budget-exhausted',
      `Thresholdout budget of ${budget} over-threshold answers is spent after ${queriesAnswered} queries; ` +
        'the holdout can no longer be queried safely: evaluate on fresh seeds or start a new holdout',
    );
    this.name = 'ThresholdoutBudgetExhaustedError';
    this.queriesAnswered = queriesAnswered;
  }
}

export function requireFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new EstimationError('invalid-input', `${what} must be a finite number, got ${value}`);
}

export function requireProbability(value: number, what: string): void {
  if (!(value > 0 && value < 1)) throw new EstimationError('invalid-input', `${what} must lie strictly between 0 and 1, got ${value}`);
}
