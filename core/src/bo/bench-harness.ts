import type { TSpace } from '../config/space';
import type { TestFunction } from '../functions/test-functions';
import { CounterRng } from '../rng';
import { proposeBatch, type BoMethod, type BoObservation, type BoState, type ProposeOptions } from './propose';

/**
 * Run one optimizer on a test function end to end, synchronously in batches: propose `batch`
 * points, evaluate them, repeat until `budget` evaluations. Pure apart from reading the clock.
 */

export interface RunOptimizerInput {
  fn: Pick<TestFunction, 'bounds' | 'evaluate'>;
  dim: number;
  method: BoMethod;
  budget: number;
  /** Initial Sobol design size. */
  initial: number;
  /** Proposals per round (1 = sequential). */
  batch: number;
  seed: number;
  /** Standard deviation of Gaussian noise added to each evaluation (best-so-far uses true values). */
  noiseStd?: number;
  options?: ProposeOptions;
}

export interface RunOptimizerResult {
  /** Best true value seen after each evaluation. */
  bestValues: number[];
  /** Wall time of each proposeBatch call, in milliseconds. */
  proposalMs: number[];
  /** Number of observations the model had at each proposeBatch call. */
  proposalObservations: number[];
}

/** performance.now() where the runtime has it (Node, browsers), without depending on Node types. */
const clock = (globalThis as { performance?: { now(): number } }).performance;
const now = (): number => (clock && typeof clock.now === 'function' ? clock.now() : Date.now());

export function runOptimizer(input: RunOptimizerInput): RunOptimizerResult {
  const { fn, dim, method, budget, initial, seed } = input;
  const batch = Math.max(1, Math.floor(input.batch));
  const space: TSpace = fn.bounds(dim).map(([low, high], i) => ({ type: 'float' as const, name: `x${i}`, low, high, log: false, gridPoints: 5 }));
  const observations: BoObservation[] = [];
  const bestValues: number[] = [];
  const proposalMs: number[] = [];
  const proposalObservations: number[] = [];
  let state: BoState | null = null;
  let best = Infinity;
  const noiseRng = new CounterRng(seed, 0x6e6f_6973);
  while (observations.length < budget) {
    const count = Math.min(batch, budget - observations.length);
    const t0 = now();
    const res = proposeBatch({
      space, observations, pending: [], count, direction: 'minimize', seed, method, initialDesign: initial, state, options: input.options,
    });
    proposalMs.push(now() - t0);
    proposalObservations.push(observations.length);
    state = res.state;
    if (res.proposals.length === 0) break;
    for (const p of res.proposals) {
      const x = space.map((s) => p.params[s.name] as number);
      const truth = fn.evaluate(x);
      let value = truth;
      if (input.noiseStd && input.noiseStd > 0) value += input.noiseStd * noiseRng.normal();
      observations.push({ params: p.params, value, noiseVar: input.noiseStd ? input.noiseStd ** 2 : undefined });
      best = Math.min(best, truth);
      bestValues.push(best);
    }
  }
  return { bestValues, proposalMs, proposalObservations };
}
