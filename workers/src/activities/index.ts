import type { ComputeActivities } from '@stepwise/core';
import { evaluateFunctionBatch } from './function-batch';

/** All compute activities a worker registers. */
export function createComputeActivities(identity: string): ComputeActivities {
  return { evaluateFunctionBatch: (input) => evaluateFunctionBatch(input, identity) };
}
