import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DbActivities } from '../activities/db-activities';

/**
 * The per-trial database writes a study makes (insert trials, record results and seed blocks).
 *
 * They are regular activities on the orchestrator's own task queue, not local activities, and
 * that is a determinism decision. A local activity's result reaches the workflow at a moment the
 * first execution picks by wall-clock (when the write finishes, possibly after the workflow task
 * that recorded its marker has been completed, e.g. to answer a query), while a replay delivers
 * it where the marker sits in the history. With several branches in flight (parallel trial slots)
 * the two orders differ, the branches schedule their next commands in a different order, and the
 * replay fails with [TMPRL1100] "Activity type of recorded marker ... does not match": the study
 * is wedged after any worker restart or cache eviction. Serializing the local activities (one in
 * flight) is not enough; the replay gate caught that too. A regular activity's completion is a
 * history event, delivered in history order in the first execution and on replay alike, so every
 * command's position is a function of the history alone. See docs/architecture.md, "Determinism".
 *
 * Histories recorded before this change (no patch marker) keep replaying the local-activity path.
 */

export type TrialWrites = Pick<DbActivities, 'insertTrials' | 'recordTrialResults' | 'recordTrialResultsAndInsert' | 'trialBlocks' | 'recordTrialBlock'>;

/** Patch id of the regular-activity write path. */
export const REGULAR_WRITES_PATCH = 'db-writes-as-activities';

const retry = { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 };

// Each write takes milliseconds; one held by a killed orchestrator is retried elsewhere after 10 s.
const asActivities = proxyActivities<DbActivities>({ startToCloseTimeout: '10s', retry });

/** The path of histories recorded before REGULAR_WRITES_PATCH; kept only so they still replay. */
const asLocalActivities = proxyLocalActivities<DbActivities>({ startToCloseTimeout: '20s', localRetryThreshold: '10s', retry });

/**
 * The writes for this workflow run, and whether it is a run recorded with the current path (new
 * runs always are). Call once, at the start of the workflow, before any command.
 */
export function trialWritesForRun(): { writes: TrialWrites; current: boolean } {
  const current = patched(REGULAR_WRITES_PATCH);
  return { writes: current ? asActivities : asLocalActivities, current };
}
