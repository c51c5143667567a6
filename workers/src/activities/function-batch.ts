import { Context } from '@temporalio/activity';
import {
  CounterRng, MO_FUNCTION_NAMES, TEST_FUNCTION_NAMES, getMoFunction, getTestFunction, isMoFunctionName,
  type BatchOutcome, type FunctionBatchInput, type TestFunction, type TrialOutcome,
} from '@stepwise/core';
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
  if (isMoFunctionName(input.function)) return evaluateMoBatch(input, worker, ctx);
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

/**
 * A multi-output function (branin_currin, zdt1 on [0,1]^d): every output in `values`, each with
 * its own noise draw (stream k of the trial's noise); a non-finite output fails the trial.
 */
function evaluateMoBatch(input: FunctionBatchInput, worker: string, ctx: Context): BatchOutcome {
  validateCommon(input);
  const results: TrialOutcome[] = [];
  for (const [i, point] of input.points.entries()) {
    if (!point.x.every((v) => v >= 0 && v <= 1)) throw invalidInput(`points[${i}].x must lie in [0, 1]^d for ${input.function}`);
    const name = input.function as (typeof MO_FUNCTION_NAMES)[number];
    const want = name === 'branin_currin' ? 2 : Math.max(2, point.x.length);
    if (point.x.length !== want) throw invalidInput(`points[${i}].x has ${point.x.length} coordinates; ${name} takes ${name === 'branin_currin' ? 2 : 'at least 2'}`);
    const fn = getMoFunction(name, point.x.length);
    const started = performance.now();
    const values = fn.evaluate(point.x);
    if (input.noiseStd > 0) {
      const rng = new CounterRng(input.seed, NOISE_STREAM + point.number);
      for (let k = 0; k < values.length; k++) values[k] += input.noiseStd * rng.normal();
    }
    const seconds = (performance.now() - started) / 1000;
    const bad = values.find((v) => !Number.isFinite(v));
    results.push(
      bad === undefined
        ? { number: point.number, status: 'completed', value: values[0], values, seconds }
        : { number: point.number, status: 'failed', value: null, error: `objective returned ${bad}`, seconds },
    );
  }
  return { worker, attempt: ctx.info.attempt, results };
}

function validateCommon(input: FunctionBatchInput): void {
  if (!Number.isSafeInteger(input.seed)) throw invalidInput(`seed must be an integer, got ${input.seed}`);
  if (!(Number.isFinite(input.noiseStd) && input.noiseStd >= 0)) throw invalidInput(`noiseStd must be a finite number >= 0, got ${input.noiseStd}`);
  if (!Array.isArray(input.points)) throw invalidInput('points must be an array');
  for (const [i, p] of input.points.entries()) {
    if (!Array.isArray(p?.x) || !p.x.every((v) => typeof v === 'number' && Number.isFinite(v))) throw invalidInput(`points[${i}].x must be an array of finite numbers`);
  }
}

function validate(input: FunctionBatchInput): TestFunction {
  if (!(TEST_FUNCTION_NAMES as readonly string[]).includes(input.function)) {
    throw invalidInput(`function: unknown test function ${JSON.stringify(String(input.function))} (one of ${[...TEST_FUNCTION_NAMES, ...MO_FUNCTION_NAMES].join(', ')})`);
  }
  const fn = getTestFunction(input.function as (typeof TEST_FUNCTION_NAMES)[number]);
  validateCommon(input);
  for (const [i, p] of input.points.entries()) {
    const ok = fn.fixedDim !== null ? p.x.length === fn.fixedDim : p.x.length >= fn.minDim;
    if (!ok) throw invalidInput(`points[${i}].x has ${p.x.length} coordinates; ${fn.name} takes ${fn.fixedDim ?? `at least ${fn.minDim}`}`);
  }
  return fn;
}
