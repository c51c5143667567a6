import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { DEFAULT_COMPUTE_QUEUE, isNonRetryableComputeErrorType, type ComputeActivities } from '@stepwise/core';

/**
 * The compute activities as every workflow calls them: one place for their task queue, timeouts
 * and retry policy. A killed worker's activity times out on its heartbeat and is retried on
 * another worker; an error the worker marks non-retryable (a broken model, an input it refuses)
 * fails at once instead of ten times.
 */
export function computeActivities(queue?: string, options: { startToCloseTimeout?: string; maximumAttempts?: number; heartbeat?: boolean } = {}) {
  return proxyActivities<ComputeActivities>({
    taskQueue: queue ?? DEFAULT_COMPUTE_QUEUE,
    startToCloseTimeout: options.startToCloseTimeout ?? '30m',
    ...(options.heartbeat === false ? {} : { heartbeatTimeout: '20s' }),
    retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: options.maximumAttempts ?? 10 },
  });
}

/**
 * Whether a compute failure is deterministic (the same request will fail the same way on any
 * worker): such a failure ends the study `failed` with its reason instead of failing trial after
 * trial.
 */
export function deterministicComputeFailure(err: unknown): string | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.nonRetryable && isNonRetryableComputeErrorType(cause.type)) return cause.message;
  return null;
}
