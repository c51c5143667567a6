import type { TestFunctionName } from '../functions/test-functions';

/**
 * The contract between orchestration (workflows) and compute workers: activity names, inputs and
 * outputs. Workers implement it; workflows only import these types.
 */

export interface FunctionBatchInput {
  function: TestFunctionName;
  /** Additive Gaussian noise; drawn from (seed, trial number) so a retry reproduces it. */
  noiseStd: number;
  seed: number;
  points: Array<{ number: number; x: number[] }>;
}

export interface TrialOutcome {
  number: number;
  status: 'completed' | 'failed';
  value: number | null;
  error?: string | null;
  seconds: number;
}

export interface BatchOutcome {
  worker: string;
  attempt: number;
  results: TrialOutcome[];
}

export interface ComputeActivities {
  evaluateFunctionBatch(input: FunctionBatchInput): Promise<BatchOutcome>;
}

export const DEFAULT_COMPUTE_QUEUE = 'compute';
export const DEFAULT_ORCHESTRATOR_QUEUE = 'orchestrator';
