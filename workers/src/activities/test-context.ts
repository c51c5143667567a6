import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { noopMetricMeter, type Logger } from '@temporalio/common';

/**
 * For unit tests of activities: runs `fn` inside a genuine @temporalio/activity Context (what the
 * Temporal worker installs, and what Temporal's own MockActivityEnvironment does), so
 * Context.current(), heartbeats and the attempt number work without a Temporal server. Heartbeat
 * details are collected for assertions.
 */
export function inActivityContext<T>(fn: () => Promise<T>, opts: { attempt?: number; heartbeats?: unknown[] } = {}): Promise<T> {
  const heartbeats = opts.heartbeats ?? [];
  const now = Date.now();
  const info: Info = {
    taskToken: new Uint8Array(0), base64TaskToken: '', activityId: 'test', activityType: 'test', activityNamespace: 'default',
    attempt: opts.attempt ?? 1, isLocal: false, scheduledTimestampMs: now, scheduleToCloseTimeoutMs: 0, startToCloseTimeoutMs: 60_000,
    currentAttemptScheduledTimestampMs: now, heartbeatDetails: undefined, taskQueue: 'test', namespace: 'default', inWorkflow: true,
  };
  const controller = new AbortController();
  const cancelled = new Promise<never>(() => undefined);
  const quiet = () => undefined;
  const log: Logger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
  const ctx = new Context(info, cancelled, controller.signal, (d?: unknown) => heartbeats.push(d), undefined, log, noopMetricMeter, { details: undefined } as never);
  return asyncLocalStorage.run(ctx, fn);
}
