import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ScheduledStudyInput } from '@stepwise/core';
import type { DbActivities } from '../activities/db-activities';
import { studyWorkflow } from './study-workflow';


const db = proxyActivities<DbActivities>({ startToCloseTimeout: '20s', retry: { maximumInterval: '5s' } });

export async function scheduledStudyWorkflow(input: ScheduledStudyInput): Promise<{ studyId: string }> {
  const studyWorkflowId = `${workflowInfo().workflowId}-study`;
  const { studyId, config } = await db.materializeScheduledStudy({ scheduleId: input.scheduleId, studyWorkflowId });
  await executeChild(studyWorkflow, {
    workflowId: studyWorkflowId,
    args: [{ studyId, config, computeQueue: input.computeQueue, proposalsQueue: input.proposalsQueue }],
  });
  return { studyId };
}
