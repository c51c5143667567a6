import type { SampleGridInput, SampleGridOutcome } from '@stepwise/core';
import { computeActivities } from './compute';

/**
 * A one-off request from the dashboard: draw a few samples on a compute worker (which owns the
 * models) and hand back a PNG. The web server never loads a model itself.
 */
export async function sampleGridWorkflow(input: SampleGridInput & { computeQueue?: string }): Promise<SampleGridOutcome> {
  const compute = computeActivities(input.computeQueue, { startToCloseTimeout: '2m', maximumAttempts: 3, heartbeat: false });
  const { computeQueue: _queue, ...request } = input;
  return compute.renderSampleGrid(request);
}
