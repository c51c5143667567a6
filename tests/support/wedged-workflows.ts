import { sleep } from '@temporalio/workflow';

/**
 * A test-only stand-in for a bad deploy: `studyWorkflow` under the same name, but its first
 * command is a timer where the real workflow scheduled an activity. Replaying any real study's
 * history therefore fails with Temporal's nondeterminism error ([TMPRL1100]) on every workflow
 * task attempt, which is exactly how issue #9 wedged a study.
 */
export async function studyWorkflow(): Promise<void> {
  await sleep('1 day');
}
