import type { DescribeModelInput, ModelDescription } from '@stepwise/core';
import { computeActivities } from './compute';

/**
 * Asks a compute worker (which owns the models) to open a model and describe it: the launch API
 * runs this before it writes a study, so a missing or broken model is refused at launch. Few
 * attempts and a short timeout: the caller is waiting, and a broken model fails non-retryably.
 */
export async function describeModelWorkflow(input: DescribeModelInput & { computeQueue?: string }): Promise<ModelDescription> {
  const compute = computeActivities(input.computeQueue, { startToCloseTimeout: '1m', maximumAttempts: 2, heartbeat: false });
  return compute.describeModel({ model: input.model });
}
