import { Context } from '@temporalio/activity';
import { CounterRng, TEST_FUNCTION_NAMES, getTestFunction, type BatchOutcome, type FunctionBatchInput, type TestFunction, type TrialOutcome } from '@stepwise/core';
import { invalidInput } from './failures';

/** Stream offset of objective noise; proposals use another range (core/search/random-search). */
const NOISE_STREAM = 1 << 29;

/**
 * Evaluates a batch of test-function trials. Each trial gets its own outcome: a non-finite value
 * fails that trial, not the batch. Heartbeats so a dead worker is noticed within the heartbeat
 * timeout rather than the start-to-close timeout. An invalid request (unknown function, a point of
 * the wrong dimension) fails non-retryably: every attempt would fail the same way.
 */
export async function evaluateFunctionBatch(input: FunctionBatchInput, worker: string): Promise<BatchOutcome> {
  const ctx = Context.current();
  ctx.heartbeat({ done: 0 });
  const fn = validate(input);
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

function validate(input: FunctionBatchInput): TestFunction {
  if (!(TEST_FUNCTION_NAMES as readonly string[]).includes(input.function)) {
    throw invalidInput(`function: unknown test function ${JSON.stringify(String(input.function))} (one of ${TEST_FUNCTION_NAMES.join(', ')})`);
  }
  const fn = getTestFunction(input.function);
  if (!Number.isSafeInteger(input.seed)) throw invalidInput(`seed must be an integer, got ${input.seed}`);
  if (!(Number.isFinite(input.noiseStd) && input.noiseStd >= 0)) throw invalidInput(`noiseStd must be a finite number >= 0, got ${input.noiseStd}`);
  if (!Array.isArray(input.points)) throw invalidInput('points must be an array');
  for (const [i, p] of input.points.entries()) {
    if (!Array.isArray(p?.x) || !p.x.every((v) => typeof v === 'number' && Number.isFinite(v))) throw invalidInput(`points[${i}].x must be an array of finite numbers`);
    const ok = fn.fixedDim !== null ? p.x.length === fn.fixedDim : p.x.length >= fn.minDim;
    if (!ok) throw invalidInput(`points[${i}].x has ${p.x.length} coordinates; ${fn.name} takes ${fn.fixedDim ?? `at least ${fn.minDim}`}`);
  }
  return fn;
}
