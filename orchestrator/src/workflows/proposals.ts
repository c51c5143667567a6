import { patched, proxyActivities } from '@temporalio/workflow';
import { DEFAULT_PROPOSALS_QUEUE } from '@stepwise/core';
import type { ProposalActivities } from '../activities/proposal-activities';

/**
 * Proposal computation (BO now, S^3 screening next) runs on its own task queue, served by the
 * proposals worker process, not on the worker that runs workflow tasks: a seconds-long GP fit then
 * never delays another study's workflow task, and it holds no database transaction (the activity
 * commits optimistically; see activities/propose-trials.ts).
 *
 * Runs recorded before this patch proposed on the orchestrator queue and keep doing so.
 */
export const PROPOSALS_QUEUE_PATCH = 'proposals-own-queue';

/**
 * The proposals activities for this run, or null for a run recorded before the patch. Call once,
 * at the start of the workflow (before any command), like trialWritesForRun.
 */
export function proposalsForRun(current: boolean, queue?: string): ProposalActivities | null {
  if (!current || !patched(PROPOSALS_QUEUE_PATCH)) return null;
  return proxyActivities<ProposalActivities>({
    taskQueue: queue ?? DEFAULT_PROPOSALS_QUEUE,
    // A proposal heartbeats before and after its computation; a killed worker's is retried
    // elsewhere once the heartbeat lapses. The computation itself must fit in one heartbeat window.
    heartbeatTimeout: '30s',
    startToCloseTimeout: '10m',
    retry: { initialInterval: '500ms', maximumInterval: '10s', backoffCoefficient: 2 },
  });
}
