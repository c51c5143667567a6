import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DbActivities } from '../activities/db-activities';
import { studyWorkflow } from './study-workflow';

/**
 * The action of a rerun schedule. Each firing (Temporal gives it a unique workflow id)
 * materialises a new Study from the schedule's template and runs it as a child workflow.
 */
export interface ScheduledStudyInput {
  scheduleId: string;
  computeQueue?: string;
}

const db = proxyActivities<DbActivities>({ startToCloseTimeout: '20s', retry: { maximumInterval: '5s' } });

export async function scheduledStudyWorkflow(input: ScheduledStudyInput): Promise<{ studyId: string }> {
  const studyWorkflowId = `${workflowInfo().workflowId}-study`;
  const { studyId, config } = await db.materializeScheduledStudy({ scheduleId: input.scheduleId, studyWorkflowId });
  await executeChild(studyWorkflow, {
    workflowId: studyWorkflowId,
    args: [{ studyId, config, computeQueue: input.computeQueue }],
  });
  return { studyId };
}
