import { proxyActivities } from '@temporalio/workflow';
import { DEFAULT_COMPUTE_QUEUE, type ComputeActivities, type SampleGridInput, type SampleGridOutcome } from '@stepwise/core';

/**
 * A one-off request from the dashboard: draw a few samples on a compute worker (which owns the
 * models) and hand back a PNG. The web server never loads a model itself.
 */
export async function sampleGridWorkflow(input: SampleGridInput & { computeQueue?: string }): Promise<SampleGridOutcome> {
  const compute = proxyActivities<ComputeActivities>({
    taskQueue: input.computeQueue ?? DEFAULT_COMPUTE_QUEUE,
    startToCloseTimeout: '2m',
    retry: { maximumAttempts: 3 },
  });
  const { computeQueue: _queue, ...request } = input;
  return compute.renderSampleGrid(request);
}
