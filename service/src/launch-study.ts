import { randomUUID } from 'node:crypto';
import { planTrials, type TStudyConfigInput } from '@stepwise/core';
import { createStudy, finishStudy } from '@stepwise/db';
import { launchIssues } from './launch-checks';
import { modelIssues } from './check-model';
import { ValidationError, type StudySource, type StudySummary } from './service-types';
import type { StudyWorkflowInput } from '@stepwise/core';
import type { ServiceDeps } from './context';
import { parseStudyConfig } from './parse-study-config';
import { toSummary } from './rows';

export interface LaunchStudyInput {
  /** Unknown input, validated with ZStudyConfig. */
  config: TStudyConfigInput | unknown;
  source: StudySource;
}

/** Validates the config (and its model, on a compute worker), writes the study row and starts its workflow; a workflow that cannot start fails the row. */
export function launchStudy({ db, temporal, queues }: ServiceDeps) {
  return async ({ config: raw, source }: LaunchStudyInput): Promise<StudySummary> => {
    const config = parseStudyConfig(raw);
    // Everything that can be refused is refused here, before a row or a workflow exists.
    // The model is opened on a compute worker (check-model.ts): a missing or broken one is refused too.
    const issues = [...launchIssues(config), ...(await modelIssues({ temporal, queues }, config))];
    if (issues.length) throw new ValidationError(issues);
    const workflowId = `study-${randomUUID()}`;
    const row = await createStudy(db, { config, source, trialsTotal: planTrials(config).total, workflowId });
    try {
      await temporal.workflow.start('studyWorkflow', {
        taskQueue: queues.taskQueue,
        workflowId,
        args: [{ studyId: row.id, config, computeQueue: queues.computeQueue, proposalsQueue: queues.proposalsQueue } satisfies StudyWorkflowInput],
      });
    } catch (err) {
      await finishStudy(db, row.id, 'failed', `could not start the workflow: ${(err as Error).message}`);
      throw err;
    }
    return toSummary(row);
  };
}
