import { Context } from '@temporalio/activity';
import { CounterRng, getTestFunction, type BatchOutcome, type FunctionBatchInput, type TrialOutcome } from '@stepwise/core';

/** Stream offset of objective noise; proposals use another range (core/search/random-search). */
const NOISE_STREAM = 1 << 29;

/**
 * Evaluates a batch of test-function trials. Each trial gets its own outcome: a non-finite value
 * fails that trial, not the batch. Heartbeats so a dead worker is noticed within the heartbeat
 * timeout rather than the start-to-close timeout.
 */
export async function evaluateFunctionBatch(input: FunctionBatchInput, worker: string): Promise<BatchOutcome> {
  const ctx = Context.current();
  ctx.heartbeat({ done: 0 });
  const fn = getTestFunction(input.function);
  const results: TrialOutcome[] = [];
  for (const point of input.points) {
    const started = performance.now();
    let value = fn.evaluate(point.x);
    if (input.noiseStd > 0) value += input.noiseStd * new CounterRng(input.seed, NOISE_STREAM + point.number).normal();
    const seconds = (performance.now() - started) / 1000;
    results.push(
      Number.isFinite(value)
        ? { number: point.number, status: 'completed', value, seconds }
        : { number: point.number, status: 'failed', value: null, error: `objective returned ${value}`, seconds },
    );
  }
  return { worker, attempt: ctx.info.attempt, results };
}
