import { WorkflowNotFoundError } from '@temporalio/client';
import { finishStudy, getStudyRow } from '@stepwise/db';
import { NotFoundError, type StudySummary } from './service-types';
import { workflowHealth } from './workflow-health';
import type { ServiceContext } from './context';
import { studySummary } from './lookups';

/** How long a cancel waits for the workflow to close by itself before terminating it. */
const CANCEL_GRACE_MS = 5_000;

/**
 * Requests cancellation; idempotent (a finished study is returned unchanged).
 *
 * A cancel request reaches the workflow through a workflow task, so a workflow whose tasks keep
 * failing never sees it (issue #9). Ask first; if the workflow is stalled, or has not closed a
 * few seconds later, terminate it and close the study with its open trials here. finishStudy is
 * one transaction and leaves a finished study alone, so racing the workflow's own cleanup (or a
 * second cancel) is harmless.
 */
export function cancelStudy(ctx: ServiceContext) {
  const { db, temporal, healthCache } = ctx;

  async function cancelWorkflow(studyId: string, workflowId: string): Promise<void> {
    const handle = temporal.workflow.getHandle(workflowId);
    const before = await workflowHealth(temporal, workflowId);
    try {
      await handle.cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await finishStudy(db, studyId, 'cancelled'); // already closed (or never started): close the row
      return;
    }
    if (before.state !== 'stalled' && (await closesWithin(workflowId, CANCEL_GRACE_MS))) {
      await finishStudy(db, studyId, 'cancelled'); // normally a no-op: the workflow recorded it
      return;
    }
    const why = before.state === 'stalled'
      ? `its workflow was stalled: ${before.reason}`
      : `its workflow did not close within ${CANCEL_GRACE_MS / 1000} s of the cancel request`;
    try {
      await handle.terminate(`cancelled from Stepwise; ${why}`);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err; // it closed meanwhile
    }
    await finishStudy(db, studyId, 'cancelled', `cancelled by terminating the workflow (${why})`);
    healthCache.forget(workflowId);
  }

  /** Polls the workflow until it is no longer running, for at most `ms`. */
  async function closesWithin(workflowId: string, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        const d = await temporal.withDeadline(deadline + 1000, () => temporal.workflow.getHandle(workflowId).describe());
        if (d.status.name !== 'RUNNING') return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return true;
        throw err;
      }
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return async (id: string): Promise<StudySummary> => {
    const row = await getStudyRow(db, id);
    if (!row) throw new NotFoundError('study', id);
    if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') return studySummary(ctx, id);
    if (!row.workflowId) {
      await finishStudy(db, id, 'cancelled');
      return studySummary(ctx, id);
    }
    await cancelWorkflow(id, row.workflowId);
    return studySummary(ctx, id);
  };
}
