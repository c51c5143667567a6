import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import {
  CRON_EXAMPLE, ZCron, ZStudyConfig, effectiveSpace, emptySurrogateSlice, fitSurrogate, isSafeText, mergeBlockSequence, parallelAxes, planTrials,
  surrogateAxisIssues, surrogateSlice, surrogateWaitingMessage, unsafeTextReason, type SurrogateFit, type TSpace, type TStudyConfig,
} from '@stepwise/core';
import {
  bestSoFar, countRunningTrials, createDb, createScheduleRow, createStudy, deleteScheduleRow, finishStudy, getScheduleRow,
  getStudyRow, InvalidCursorError, listScheduleRows, listStudyRows, listTrialRows, updateScheduleRow,
  type Db, type ScheduleRowDb, type StudyRow, type TrialRowDb,
} from '@stepwise/db';
import { findTrialRowByNumber, parallelRows, surrogateObservationRows, trialBlockSource } from '@stepwise/db/insights';
import type { OrchestratorConfig } from './config';
import { launchIssues } from './launch-checks';
import {
  NotFoundError, ValidationError, type ScheduleRow, type ScheduleSpecInput, type StepwiseService, type StudyDetail,
  type StudyHealth, type StudySummary, type TrialProposal, type TrialRow,
} from './service-types';
import type { ScheduledStudyInput, StudyWorkflowInput } from './workflows';
import { createHealthCache, workflowHealth } from './workflow-health';

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

/** The stored proposal JSON as the API shape; anything malformed reads as null. */
export function toTrialProposal(raw: unknown): TrialProposal | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.kind !== 'string') return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const out: TrialProposal = { kind: r.kind };
  const acq = num(r.acquisitionValue);
  if (acq !== undefined) out.acquisitionValue = acq;
  if (typeof r.method === 'string') out.method = r.method;
  const obs = num(r.observations), pending = num(r.pending);
  if (obs !== undefined) out.observations = obs;
  if (pending !== undefined) out.pending = pending;
  return out;
}

/** Confidence of a study's intervals: the sampler's estimation settings, else 95%. */
export function studyConfidence(config: unknown): number {
  const est = (config as { objective?: { estimation?: { confidence?: unknown } } } | null)?.objective?.estimation;
  const c = est?.confidence;
  return typeof c === 'number' && c > 0 && c < 1 ? c : 0.95;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The strategy state as the API shows it: Thresholdout's noisy threshold stays server-side, since
 * anyone who could read it would weaken the holdout's guarantee.
 */
function publicStrategyState(state: unknown): unknown {
  if (!state || typeof state !== 'object') return state ?? null;
  const s = state as Record<string, unknown>;
  if (!s.thresholdout || typeof s.thresholdout !== 'object') return s;
  const { state: _secret, ...thresholdout } = s.thresholdout as Record<string, unknown>;
  return { ...s, thresholdout };
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
    proposal: toTrialProposal(t.proposal),
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

/** Longest interval between scheduled runs (a year and a day). */
const MAX_INTERVAL_SECONDS = 366 * 24 * 3600;

/**
 * The Temporal spec of a schedule and the normalised spec stored beside it. Checked in full here:
 * Temporal answers a spec it cannot parse with an internal error.
 */
function validateSpec(spec: ScheduleSpecInput): { temporal: { cronExpressions?: string[]; intervals?: Array<{ every: string }> }; stored: ScheduleSpecInput } {
  const hasCron = spec.cron !== undefined && spec.cron !== null && !(typeof spec.cron === 'string' && spec.cron.trim() === '');
  const hasInterval = spec.intervalSeconds !== undefined && spec.intervalSeconds !== null;
  if (hasCron === hasInterval) throw new ValidationError([{ field: 'spec', message: 'give exactly one of cron or intervalSeconds' }]);
  if (hasCron) {
    if (typeof spec.cron !== 'string') throw new ValidationError([{ field: 'spec.cron', message: `give a cron expression as a string, e.g. ${CRON_EXAMPLE}` }]);
    const cron = ZCron.safeParse(spec.cron);
    if (!cron.success) throw new ValidationError([{ field: 'spec.cron', message: cron.error.issues[0]?.message ?? 'not a cron expression' }]);
    return { temporal: { cronExpressions: [cron.data] }, stored: { cron: cron.data } };
  }
  const s = spec.intervalSeconds!;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > MAX_INTERVAL_SECONDS) {
    throw new ValidationError([{ field: 'spec.intervalSeconds', message: `must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS} (366 days)` }]);
  }
  return { temporal: { intervals: [{ every: `${s}s` }] }, stored: { intervalSeconds: s } };
}

/** How long a cancel waits for the workflow to close by itself before terminating it. */
const CANCEL_GRACE_MS = 5_000;

const isLive = (row: StudyRow) => row.status === 'running' || row.status === 'paused';

/** The summary with Temporal's view of a live study's workflow; a live row without a workflow is stalled by definition. */
function withHealth(summary: StudySummary, row: StudyRow, health: StudyHealth | undefined): StudySummary {
  if (!isLive(row)) return summary;
  if (!row.workflowId) return { ...summary, health: { state: 'stalled', reason: 'the study has no workflow; cancel it to close its trials', since: null } };
  return health ? { ...summary, health } : summary;
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

  /** Pause/resume are workflow signals; the workflow records the status change itself. */
  async function signalStudy(id: string, signal: 'pause' | 'resume'): Promise<StudySummary> {
    const row = await getStudyRow(db, id);
    if (!row) throw new NotFoundError('study', id);
    if (!row.workflowId || (row.status !== 'running' && row.status !== 'paused')) {
      throw new ValidationError([{ field: 'id', message: `study is ${row.status}; only a running or paused study can be ${signal}d` }]);
    }
    try {
      await temporal.workflow.getHandle(row.workflowId).signal(signal);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new ValidationError([{ field: 'id', message: 'the study has already finished' }]);
      throw err;
    }
    return summary(id);
  }

  const healthCache = createHealthCache(temporal);

  /**
   * A cancel request reaches the workflow through a workflow task, so a workflow whose tasks keep
   * failing never sees it (issue #9). Ask first; if the workflow is stalled, or has not closed a
   * few seconds later, terminate it and close the study with its open trials here. finishStudy is
   * one transaction and leaves a finished study alone, so racing the workflow's own cleanup (or a
   * second cancel) is harmless.
   */
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

  async function studyOrThrow(id: string): Promise<StudyRow> {
    const row = UUID_RE.test(id) ? await getStudyRow(db, id) : null;
    if (!row) throw new NotFoundError('study', id);
    return row;
  }

  function spaceOf(row: StudyRow): TSpace {
    try {
      return effectiveSpace(row.config as unknown as TStudyConfig);
    } catch {
      return [];
    }
  }

  // Fitted surrogates by study and progress: switching the plotted pair costs a prediction only.
  const surrogates = new Map<string, SurrogateFit | null>();
  async function surrogateFor(row: StudyRow, space: TSpace): Promise<{ fit: SurrogateFit | null; completed: number }> {
    const key = `${row.id}:${row.trialsCompleted}:${row.bestTrialNumber}`;
    if (surrogates.has(key)) return { fit: surrogates.get(key) ?? null, completed: row.trialsCompleted };
    const direction = row.direction as 'minimize' | 'maximize';
    const { observations, completed } = await surrogateObservationRows(db, row.id, direction);
    const fit = fitSurrogate(space, observations, direction, { state: row.strategyState, seed: (row.config as { seed?: number }).seed ?? 0 });
    surrogates.set(key, fit);
    while (surrogates.size > 16) surrogates.delete(surrogates.keys().next().value as string);
    return { fit, completed };
  }

  return {
    async renderSamples(input) {
      const workflowId = `samples-${randomUUID()}`;
      const out = await temporal.workflow.execute('sampleGridWorkflow', {
        taskQueue: queues.taskQueue,
        workflowId,
        workflowExecutionTimeout: '3m',
        args: [{ ...input, computeQueue: queues.computeQueue }],
      });
      const result = out as { pngBase64: string; shape: number[]; nfe: number };
      return { dataUrl: `data:image/png;base64,${result.pngBase64}`, shape: result.shape, nfe: result.nfe };
    },

    async listStudies({ limit, cursor, status }) {
      const page = await listStudyRows(db, { limit, cursor, status });
      const live = page.items.filter(isLive);
      const [running, health] = await Promise.all([
        countRunningTrials(db, live.map((s) => s.id)),
        healthCache.many(live.flatMap((s) => (s.workflowId ? [s.workflowId] : []))),
      ]);
      return {
        items: page.items.map((s) => withHealth(toSummary(s, running.get(s.id) ?? 0), s, s.workflowId ? health.get(s.workflowId) : undefined)),
        nextCursor: page.nextCursor,
      };
    },

    async getStudy(id) {
      const row = await getStudyRow(db, id);
      if (!row) throw new NotFoundError('study', id);
      const [running, curve, health] = await Promise.all([
        countRunningTrials(db, [id]),
        bestSoFar(db, id, row.direction as 'minimize' | 'maximize'),
        isLive(row) && row.workflowId ? healthCache.one(row.workflowId) : undefined,
      ]);
      const best = row.bestTrialNumber === null ? null : await findTrialRowByNumber(db, id, row.bestTrialNumber);
      const detail: StudyDetail = {
        ...withHealth(toSummary(row, running.get(id) ?? 0), row, health),
        config: row.config as unknown as TStudyConfig,
        workflowId: row.workflowId,
        bestSoFar: curve,
        bestTrial: best ? toTrialRow(best) : null,
        strategy: publicStrategyState(row.strategyState),
      };
      return detail;
    },

    async launchStudy({ config: raw, source }) {
      const config = parseStudyConfig(raw);
      // Everything that can be refused is refused here, before a row or a workflow exists.
      const issues = launchIssues(config);
      if (issues.length) throw new ValidationError(issues);
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
      await cancelWorkflow(id, row.workflowId);
      return summary(id);
    },

    async pauseStudy(id) {
      return signalStudy(id, 'pause');
    },

    async resumeStudy(id) {
      return signalStudy(id, 'resume');
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
      else if (!isSafeText(name)) issues.push({ field: 'name', message: unsafeTextReason(name)! });
      if (paused !== undefined && typeof paused !== 'boolean') issues.push({ field: 'paused', message: 'must be true or false' });
      let validSpec: ReturnType<typeof validateSpec> | null = null;
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
        issues.push(...launchIssues(config).map((i) => ({ field: i.field === '(config)' ? 'template' : `template.${i.field}`, message: i.message })));
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
          args: [{ scheduleId: id, computeQueue: queues.computeQueue } satisfies ScheduledStudyInput],
        },
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        state: { paused: paused ?? false, note: name },
      });
      try {
        const row = await createScheduleRow(db, { id, name: name.trim(), spec: validSpec.stored, template: config, temporalScheduleId, paused: paused ?? false });
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

    async getTrialBlocks({ trialId }) {
      const found = UUID_RE.test(trialId) ? await trialBlockSource(db, trialId) : null;
      if (!found) throw new NotFoundError('trial', trialId);
      const confidence = studyConfidence(found.config);
      const { trial } = found;
      return {
        trialId: trial.id,
        studyId: trial.studyId,
        number: trial.number,
        status: trial.status,
        confidence,
        value: trial.value,
        ciLow: trial.ciLow,
        ciHigh: trial.ciHigh,
        n: trial.n,
        blocks: mergeBlockSequence(found.blocks, confidence),
      };
    },

    async getSurrogate({ studyId, x, y, resolution }) {
      const row = await studyOrThrow(studyId);
      const space = spaceOf(row);
      const issues = surrogateAxisIssues(space, x, y);
      if (issues.length) throw new ValidationError(issues);
      const { fit, completed } = await surrogateFor(row, space);
      const base = { studyId, metric: row.metric, direction: row.direction as 'minimize' | 'maximize', resolution, trialsCompleted: completed, bestTrialNumber: row.bestTrialNumber };
      if (!fit) return { ...base, ...emptySurrogateSlice(space, x, y, resolution), trialsUsed: 0, message: surrogateWaitingMessage(completed) };
      const best = row.bestTrialNumber === null ? null : await findTrialRowByNumber(db, studyId, row.bestTrialNumber);
      const slice = surrogateSlice(fit, x, y, (best?.params as TrialRow['params'] | undefined) ?? null, resolution);
      return { ...base, ...slice, trialsUsed: fit.used.length, message: null };
    },

    async getParallelCoordinates({ studyId, limit }) {
      const row = await studyOrThrow(studyId);
      const { rows, total } = await parallelRows(db, studyId, limit);
      return {
        studyId,
        metric: row.metric,
        direction: row.direction as 'minimize' | 'maximize',
        axes: parallelAxes(spaceOf(row)),
        rows,
        total,
        sampled: total > rows.length,
      };
    },
  };
}

/** A service wired from environment variables (web server, CLI-side tests). */
export async function createServiceFromConfig(cfg: OrchestratorConfig): Promise<{ service: StepwiseService; close: () => Promise<void> }> {
  // Temporal first: when it is down (the web server retries), a failed attempt leaves no pool behind.
  const connection = await Connection.connect({ address: cfg.temporalAddress });
  const db = createDb(cfg.databaseUrl, 10);
  const temporal = new Client({ connection, namespace: cfg.namespace });
  return {
    service: createService({ db, temporal, queues: cfg }),
    close: async () => {
      await db.$disconnect();
      await connection.close();
    },
  };
}
