import type { StudyRow } from '@stepwise/db';
import type { StudyHealth, StudySummary } from './service-types';

export const isLive = (row: StudyRow) => row.status === 'running' || row.status === 'paused';

/** The summary with Temporal's view of a live study's workflow; a live row without a workflow is stalled by definition. */
export function withHealth(summary: StudySummary, row: StudyRow, health: StudyHealth | undefined): StudySummary {
  if (!isLive(row)) return summary;
  if (!row.workflowId) return { ...summary, health: { state: 'stalled', reason: 'the study has no workflow; cancel it to close its trials', since: null } };
  return health ? { ...summary, health } : summary;
}
