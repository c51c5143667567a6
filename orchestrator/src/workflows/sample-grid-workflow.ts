import type { SampleGridInput, SampleGridOutcome } from '@stepwise/core';
import { computeActivities } from './compute';

/**
 * A one-off request from the dashboard: draw a few samples on a compute worker (which owns the
 * models) and hand back a PNG. The web server never loads a model itself.
 *
 * The activity heartbeats (a dead worker is noticed in 20 s) and may run 15 minutes: the first
 * dpm-solver-v3 grid on a model computes its statistics, which took 132 s for gmm-cifar here,
 * past the 2 minutes this workflow allowed before. Activity timeouts are not part of what a
 * replay compares (a history recorded with the old ones replays: tests/replay.test.ts, the
 * previous release's fixtures), so no patch marks the change.
 */
export async function sampleGridWorkflow(input: SampleGridInput & { computeQueue?: string }): Promise<SampleGridOutcome> {
  const compute = computeActivities(input.computeQueue, { startToCloseTimeout: '15m', maximumAttempts: 3 });
  const { computeQueue: _queue, ...request } = input;
  return compute.renderSampleGrid(request);
}
