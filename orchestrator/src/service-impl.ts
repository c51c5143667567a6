import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { ZStudyConfig, planTrials, type TStudyConfig } from '@stepwise/core';
import {
  bestSoFar, countRunningTrials, createDb, createScheduleRow, createStudy, deleteScheduleRow, finishStudy, getScheduleRow,
  getStudyRow, InvalidCursorError, listScheduleRows, listStudyRows, listTrialRows, setStudyWorkflowId, updateScheduleRow,
  type Db, type ScheduleRowDb, type StudyRow, type TrialRowDb,
} from '@stepwise/db';
import type { OrchestratorConfig } from './config';
import {
  NotFoundError, ValidationError, type ScheduleRow, type ScheduleSpecInput, type StepwiseService, type StudyDetail,
  type StudySummary, type TrialRow,
} from './service-types';
import type { ScheduledStudyInput, StudyWorkflowInput } from './workflows';

/** The launch/control API over Postgres and Temporal; web (tRPC) and tests call it. */

function zodIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }, prefix = ''): ValidationError {
  return new ValidationError(
    error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(config)', message: i.message })),
  );
}

export function parseStudyConfig(raw: unknown, prefix = ''): TStudyConfig {
  const parsed = ZStudyConfig.safeParse(raw);
  if (!parsed.success) throw zodIssues(parsed.error, prefix);
  return parsed.data;
}

function toSummary(row: StudyRow, running = 0): StudySummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    source: row.source,
    scheduleId: row.scheduleId,
    direction: row.direction as 'minimize' | 'maximize',
    metric: row.metric,
    trialsTotal: row.trialsTotal,
    trialsCompleted: row.trialsCompleted,
    trialsFailed: row.trialsFailed,
    trialsRunning: running,
    bestValue: row.bestValue,
    bestTrialNumber: row.bestTrialNumber,
    error: row.error,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

function toTrialRow(t: TrialRowDb): TrialRow {
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    params: t.params as TrialRow['params'],
    value: t.value,
    stderr: t.stderr,
    ciLow: t.ciLow,
    ciHigh: t.ciHigh,
    n: t.n,
    attempt: t.attempt,
    worker: t.worker,
    error: t.error,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

function toScheduleRow(s: ScheduleRowDb): ScheduleRow {
  return {
    id: s.id,
    name: s.name,
    spec: s.spec as ScheduleSpecInput,
    template: s.template as unknown as TStudyConfig,
    paused: s.paused,
    temporalScheduleId: s.temporalScheduleId,
    lastRunAt: s.lastRunAt,
    nextRunAt: s.nextRunAt,
    studiesCreated: s._count.studies,
    createdAt: s.createdAt,
  };
}

function validateSpec(spec: ScheduleSpecInput): { cronExpressions?: string[]; intervals?: Array<{ every: string }> } {
  const hasCron = typeof spec.cron === 'string' && spec.cron.trim() !== '';
  const hasInterval = spec.intervalSeconds !== undefined && spec.intervalSeconds !== null;
  if (hasCron === hasInterval) throw new ValidationError([{ field: 'spec', message: 'give exactly one of cron or intervalSeconds' }]);
  if (hasCron) {
    const fields = spec.cron!.trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 7) {
      throw new ValidationError([{ field: 'spec.cron', message: `"${spec.cron}" is not a cron expression: use five fields like "0 3 * * *"` }]);
    }
    return { cronExpressions: [spec.cron!.trim()] };
  }
  const s = spec.intervalSeconds!;
  if (!Number.isInteger(s) || s < 1) throw new ValidationError([{ field: 'spec.intervalSeconds', message: 'must be a whole number of seconds >= 1' }]);
  return { intervals: [{ every: `${s}s` }] };
}

export interface ServiceDeps {
  db: Db;
  temporal: Client;
  queues: Pick<OrchestratorConfig, 'taskQueue' | 'computeQueue'>;
}

export function createService({ db, temporal, queues }: ServiceDeps): StepwiseService {
  async function summary(id: string): Promise<StudySummary> {
    const row = await getStudyRow(db, id);
    if (!row) throw new NotFoundError('study', id);
    const running = await countRunningTrials(db, [id]);
    return toSummary(row, running.get(id) ?? 0);
  }

  async function scheduleOrThrow(id: string): Promise<ScheduleRowDb> {
    const row = await getScheduleRow(db, id);
    if (!row) throw new NotFoundError('schedule', id);
    return row;
  }

  async function refreshNextRun(row: ScheduleRowDb): Promise<ScheduleRowDb> {
    try {
      const desc = await temporal.schedule.getHandle(row.temporalScheduleId).describe();
      const next = desc.info.nextActionTimes[0] ?? null;
      const last = desc.info.recentActions.at(-1)?.takenAt ?? row.lastRunAt;
      return await updateScheduleRow(db, row.id, { nextRunAt: desc.state.paused ? null : next, lastRunAt: last ?? null });
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return row;
      throw err;
    }
  }

  return {
    async listStudies({ limit, cursor, status }) {
      const page = await listStudyRows(db, { limit, cursor, status });
      const running = await countRunningTrials(db, page.items.filter((s) => s.status === 'running' || s.status === 'paused').map((s) => s.id));
      return { items: page.items.map((s) => toSummary(s, running.get(s.id) ?? 0)), nextCursor: page.nextCursor };
    },

    async getStudy(id) {
      const row = await getStudyRow(db, id);
      if (!row) throw new NotFoundError('study', id);
      const [running, curve] = await Promise.all([
        countRunningTrials(db, [id]),
        bestSoFar(db, id, row.direction as 'minimize' | 'maximize'),
      ]);
      const detail: StudyDetail = {
        ...toSummary(row, running.get(id) ?? 0),
        config: row.config as unknown as TStudyConfig,
        workflowId: row.workflowId,
        bestSoFar: curve,
      };
      return detail;
    },

    async launchStudy({ config: raw, source }) {
      const config = parseStudyConfig(raw);
      const workflowId = `study-${randomUUID()}`;
      const row = await createStudy(db, { config, source, trialsTotal: planTrials(config).total, workflowId });
      try {
        await temporal.workflow.start('studyWorkflow', {
          taskQueue: queues.taskQueue,
          workflowId,
          args: [{ studyId: row.id, config, computeQueue: queues.computeQueue } satisfies StudyWorkflowInput],
        });
      } catch (err) {
        await finishStudy(db, row.id, 'failed', `could not start the workflow: ${(err as Error).message}`);
        throw err;
      }
      return toSummary(row);
    },

    async cancelStudy(id) {
      const row = await getStudyRow(db, id);
      if (!row) throw new NotFoundError('study', id);
      if (row.status === 'completed' || row.status === 'failed' || row.status === 'cancelled') return summary(id);
      if (!row.workflowId) {
        await finishStudy(db, id, 'cancelled');
        return summary(id);
      }
      try {
        await temporal.workflow.getHandle(row.workflowId).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await finishStudy(db, id, 'cancelled');
      }
      return summary(id);
    },

    async listTrials(input) {
      if (!(await getStudyRow(db, input.studyId))) throw new NotFoundError('study', input.studyId);
      try {
        const page = await listTrialRows(db, input);
        return { items: page.items.map(toTrialRow), nextCursor: page.nextCursor, total: page.total };
      } catch (err) {
        if (err instanceof InvalidCursorError) throw new ValidationError([{ field: 'cursor', message: err.message }]);
        throw err;
      }
    },

    async createSchedule({ name, spec, template, paused }) {
      const issues: Array<{ field: string; message: string }> = [];
      if (typeof name !== 'string' || name.trim() === '' || name.length > 200) issues.push({ field: 'name', message: 'give the schedule a name (1-200 characters)' });
      let temporalSpec: ReturnType<typeof validateSpec> | null = null;
      try {
        temporalSpec = validateSpec(spec ?? {});
      } catch (err) {
        if (err instanceof ValidationError) issues.push(...err.issues);
        else throw err;
      }
      let config: TStudyConfig | null = null;
      try {
        config = parseStudyConfig(template, 'template');
      } catch (err) {
        if (err instanceof ValidationError) issues.push(...err.issues);
        else throw err;
      }
      if (issues.length || !config || !temporalSpec) throw new ValidationError(issues);
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
          args: [{ scheduleId: id, computeQueue: queues.computeQueue } satisfies ScheduledStudyInput],
        },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        state: { paused: paused ?? false, note: name },
      });
      try {
        const row = await createScheduleRow(db, { id, name: name.trim(), spec, template: config, temporalScheduleId, paused: paused ?? false });
        return toScheduleRow(await refreshNextRun(row));
      } catch (err) {
        await temporal.schedule.getHandle(temporalScheduleId).delete().catch(() => undefined);
        throw err;
      }
    },

    async listSchedules() {
      const rows = await listScheduleRows(db);
      return Promise.all(rows.map(async (r) => toScheduleRow(await refreshNextRun(r))));
    },

    async pauseSchedule(id) {
      const row = await scheduleOrThrow(id);
      await temporal.schedule.getHandle(row.temporalScheduleId).pause('paused from Stepwise');
      return toScheduleRow(await refreshNextRun(await updateScheduleRow(db, id, { paused: true })));
    },

    async unpauseSchedule(id) {
      const row = await scheduleOrThrow(id);
      await temporal.schedule.getHandle(row.temporalScheduleId).unpause('unpaused from Stepwise');
      return toScheduleRow(await refreshNextRun(await updateScheduleRow(db, id, { paused: false })));
    },

    async triggerSchedule(id) {
      const row = await scheduleOrThrow(id);
      await temporal.schedule.getHandle(row.temporalScheduleId).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
      return toScheduleRow(row);
    },

    async deleteSchedule(id) {
      const row = await scheduleOrThrow(id);
      try {
        await temporal.schedule.getHandle(row.temporalScheduleId).delete();
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      }
      await deleteScheduleRow(db, id);
      return { id };
    },
  };
}

/** A service wired from environment variables (web server, CLI-side tests). */
export async function createServiceFromConfig(cfg: OrchestratorConfig): Promise<{ service: StepwiseService; close: () => Promise<void> }> {
  const db = createDb(cfg.databaseUrl, 10);
  const connection = await Connection.connect({ address: cfg.temporalAddress });
  const temporal = new Client({ connection, namespace: cfg.namespace });
  return {
    service: createService({ db, temporal, queues: cfg }),
    close: async () => {
      await db.$disconnect();
      await connection.close();
    },
  };
}
