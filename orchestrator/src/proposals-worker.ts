import { createProposalActivities } from './activities/proposal-activities';
import type { OrchestratorConfig } from './config';
import { startDbWorker, type RunningWorker } from './worker-bootstrap';

/**
 * The proposals worker: activities only (no workflows), on the proposals task queue. Several may
 * run; each proposal commits optimistically, so two workers proposing for one study never record
 * the same trial twice. A killed worker's proposal is retried elsewhere after its heartbeat lapses.
 */
export function createProposalsWorker(config: OrchestratorConfig): Promise<RunningWorker> {
  return startDbWorker(config, {
    taskQueue: config.proposalsQueue,
    poolSize: 4,
    activities: createProposalActivities,
    // CPU-bound: more than one at a time per process only makes each slower.
    maxConcurrentActivityTaskExecutions: 2,
  });
}
