import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { isSafeText, unsafeTextReason, type TStudyConfig } from '@stepwise/core';
import { createScheduleRow } from '@stepwise/db';
import { launchIssues } from './launch-checks';
import { modelIssues } from './check-model';
import { ValidationError, type ScheduleRow, type ScheduleSpecInput } from './service-types';
import type { ScheduledStudyInput } from '@stepwise/core';
import type { ServiceDeps } from './context';
import { refreshNextRun } from './lookups';
import { parseStudyConfig } from './parse-study-config';
import { toScheduleRow } from './rows';
import { validateSpec, type ValidSpec } from './schedule-spec';

export interface CreateScheduleInput {
  name: string;
  spec: ScheduleSpecInput;
  /** A study config (unknown input), launched at every firing. */
  template: unknown;
  paused?: boolean;
}

/**
 * Checks everything (name, spec, template as a launch would) and reports all issues at once, then
 * creates the Temporal schedule and its row; the schedule is deleted again if the row cannot be written.
 */
export function createSchedule(deps: ServiceDeps) {
  const { db, temporal, queues } = deps;
  return async ({ name, spec, template, paused }: CreateScheduleInput): Promise<ScheduleRow> => {
    const issues: Array<{ field: string; message: string }> = [];
    if (typeof name !== 'string' || name.trim() === '' || name.length > 200) issues.push({ field: 'name', message: 'give the schedule a name (1-200 characters)' });
    else if (!isSafeText(name)) issues.push({ field: 'name', message: unsafeTextReason(name)! });
    if (paused !== undefined && typeof paused !== 'boolean') issues.push({ field: 'paused', message: 'must be true or false' });
    let validSpec: ValidSpec | null = null;
    try {
      validSpec = validateSpec(typeof spec === 'object' && spec !== null ? spec : {});
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues);
      else throw err;
    }
    let config: TStudyConfig | null = null;
    try {
      config = parseStudyConfig(template, 'template');
      // The template launches a study at every firing: refuse now what would be refused then.
      const launch = [...launchIssues(config), ...(await modelIssues(deps, config))];
      issues.push(...launch.map((i) => ({ field: i.field === '(config)' ? 'template' : `template.${i.field}`, message: i.message })));
    } catch (err) {
      if (err instanceof ValidationError) issues.push(...err.issues);
      else throw err;
    }
    if (issues.length || !config || !validSpec) throw new ValidationError(issues);
    const temporalSpec = validSpec.temporal;
    const id = randomUUID();
    const temporalScheduleId = `stepwise-schedule-${id}`;
    await temporal.schedule.create({
      scheduleId: temporalScheduleId,
      spec: temporalSpec,
      action: {
        type: 'startWorkflow',
        workflowType: 'scheduledStudyWorkflow',
        taskQueue: queues.taskQueue,
        workflowId: `scheduled-${id}`,
        args: [{ scheduleId: id, computeQueue: queues.computeQueue, proposalsQueue: queues.proposalsQueue } satisfies ScheduledStudyInput],
      },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      state: { paused: paused ?? false, note: name },
    });
    try {
      const row = await createScheduleRow(db, { id, name: name.trim(), spec: validSpec.stored, template: config, temporalScheduleId, paused: paused ?? false });
      return toScheduleRow(await refreshNextRun(deps, row));
    } catch (err) {
      await temporal.schedule.getHandle(temporalScheduleId).delete().catch(() => undefined);
      throw err;
    }
  };
}
