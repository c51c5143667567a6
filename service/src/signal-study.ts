import { WorkflowNotFoundError } from '@temporalio/client';
import { getStudyRow } from '@stepwise/db';
import { NotFoundError, ValidationError, type StudySummary } from './service-types';
import type { ServiceDeps } from './context';
import { studySummary } from './lookups';

/** Pause/resume are workflow signals; the workflow records the status change itself. Only a running or paused study. */
export async function signalStudy(deps: ServiceDeps, id: string, signal: 'pause' | 'resume'): Promise<StudySummary> {
  const row = await getStudyRow(deps.db, id);
  if (!row) throw new NotFoundError('study', id);
  if (!row.workflowId || (row.status !== 'running' && row.status !== 'paused')) {
    throw new ValidationError([{ field: 'id', message: `study is ${row.status}; only a running or paused study can be ${signal}d` }]);
  }
  try {
    await deps.temporal.workflow.getHandle(row.workflowId).signal(signal);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ValidationError([{ field: 'id', message: 'the study has already finished' }]);
    throw err;
  }
  return settled(deps, id, signal === 'pause' ? 'paused' : 'running');
}

/** How long a pause/resume waits for the workflow to record the status it asked for. */
const SETTLE_MS = 5_000;

/**
 * The study once the workflow has recorded `expected` (or finished meanwhile), so the caller sees
 * the status it asked for rather than the one before the signal; after SETTLE_MS, as it stands.
 */
async function settled(deps: ServiceDeps, id: string, expected: 'paused' | 'running'): Promise<StudySummary> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const summary = await studySummary(deps, id);
    const done = summary.status === expected || summary.status === 'completed' || summary.status === 'failed' || summary.status === 'cancelled';
    if (done || Date.now() >= deadline) return summary;
    await new Promise((r) => setTimeout(r, 100));
  }
}
