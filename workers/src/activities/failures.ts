import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_COMPUTE_ERRORS } from '@stepwise/core';
import { ComputeError } from '../models/errors';
import { ModelContractError } from '../models/registry';

/**
 * What a compute activity throws for an error: deterministic ones (models/errors.ts, a model that
 * breaks the contract) as non-retryable ApplicationFailures typed from NON_RETRYABLE_COMPUTE_ERRORS,
 * so the workflow ends the study with the message instead of retrying ten times; anything else
 * unchanged, for Temporal's retry policy.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ComputeError) return ApplicationFailure.nonRetryable(err.message, NON_RETRYABLE_COMPUTE_ERRORS[err.kind]);
  if (err instanceof ModelContractError) {
    return ApplicationFailure.nonRetryable(`${err.message} (fix the model file in the model directory, or name another model)`, NON_RETRYABLE_COMPUTE_ERRORS.model);
  }
  return err;
}

/** A request over a worker cap, named by the variable that sets it. */
export function limitExceeded(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, NON_RETRYABLE_COMPUTE_ERRORS.limit);
}

export function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, NON_RETRYABLE_COMPUTE_ERRORS.input);
}
