import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { StudyHealth } from './service-types';

/**
 * Whether a live study's workflow can make progress, as Temporal sees it. The study row only says
 * what the workflow last recorded: a workflow whose every workflow task fails (a nondeterminism
 * error after a deploy, a bug on replay) keeps its row `running` with trials RUNNING forever, and
 * a cancel request never reaches it. Describe shows that; the reason comes from the history.
 */

export const HEALTH_OK: StudyHealth = { state: 'ok', reason: null, since: null };

/** A workflow task nobody has taken for this long means no orchestrator polls the queue. */
export const UNCLAIMED_TASK_MS = 60_000;
/** How long one health check may wait for Temporal before saying "unknown". */
const DESCRIBE_DEADLINE_MS = 3_000;

/** The parts of a describe answer the verdict needs (kept narrow so it is easy to reason about). */
export interface WorkflowSnapshot {
  status: string;
  runId?: string;
  taskQueue?: string;
  pendingTask: { attempt: number; state: 'scheduled' | 'started' | 'other'; scheduledAt: Date | null } | null;
}

/** What the last workflow task that did not complete left in the history. */
export type TaskFailure = { kind: 'failed'; message: string; at: Date | null } | { kind: 'timed-out'; at: Date | null } | null;

/**
 * The verdict from a snapshot alone; `needsHistory` when the reason (and whether a retried task
 * is a fault or a routine failover) can only be read from the last workflow task events.
 */
export function classifySnapshot(s: WorkflowSnapshot, now: number): { health: StudyHealth; needsHistory: boolean } {
  if (s.status !== 'RUNNING') {
    return {
      health: { state: 'stalled', reason: `its workflow is ${s.status.toLowerCase().replace(/_/g, ' ')} in Temporal but the study was never closed; cancel it to close its trials`, since: null },
      needsHistory: false,
    };
  }
  const t = s.pendingTask;
  if (!t) return { health: HEALTH_OK, needsHistory: false };
  if (t.attempt > 1) return { health: HEALTH_OK, needsHistory: true };
  if (t.state === 'scheduled' && t.scheduledAt && now - t.scheduledAt.getTime() > UNCLAIMED_TASK_MS) {
    const waited = Math.round((now - t.scheduledAt.getTime()) / 1000);
    const queue = s.taskQueue ? ` on queue "${s.taskQueue}"` : '';
    return {
      health: { state: 'stalled', reason: `no orchestrator worker has taken its workflow task for ${waited} s: is an orchestrator running${queue}?`, since: t.scheduledAt },
      needsHistory: false,
    };
  }
  return { health: HEALTH_OK, needsHistory: false };
}

/**
 * The verdict for a retried workflow task, given the last failure in the history. A failure is a
 * fault from the first retry on (replaying the same history fails the same way); a timeout is the
 * routine failover after a worker died mid-task, so only repeated timeouts count.
 */
export function classifyRetriedTask(attempt: number, failure: TaskFailure): StudyHealth {
  if (failure?.kind === 'failed') {
    return { state: 'stalled', reason: `workflow task failing (attempt ${attempt}): ${oneLine(failure.message)}`, since: failure.at };
  }
  if (attempt >= 3) {
    const why = failure?.kind === 'timed-out' ? 'timed out' : 'failed';
    return { state: 'stalled', reason: `workflow task ${why} ${attempt - 1} times in a row: is the orchestrator crashing or overloaded?`, since: failure?.at ?? null };
  }
  return HEALTH_OK;
}

/** First line of a failure message, bounded: stack traces stay in Temporal's UI. */
export function oneLine(message: string, max = 500): string {
  const first = message.trim().split('\n')[0] ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

type Ts = { seconds?: unknown; nanos?: number | null } | null | undefined;
function tsToDate(ts: Ts): Date | null {
  if (!ts) return null;
  const s = ts.seconds;
  const seconds = typeof s === 'number' ? s : s === null || s === undefined ? 0 : Number(String(s));
  return Number.isFinite(seconds) ? new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)) : null;
}

/** Workflow task state numbers of temporal.api.enums.v1.PendingWorkflowTaskState. */
const TASK_SCHEDULED = 1;
const TASK_STARTED = 2;

async function snapshot(temporal: Client, workflowId: string): Promise<WorkflowSnapshot> {
  const d = await temporal.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () => temporal.workflow.getHandle(workflowId).describe());
  const p = d.raw.pendingWorkflowTask;
  return {
    status: d.status.name,
    runId: d.runId,
    taskQueue: d.taskQueue,
    pendingTask: p
      ? {
          attempt: p.attempt ?? 1,
          state: p.state === TASK_SCHEDULED ? 'scheduled' : p.state === TASK_STARTED ? 'started' : 'other',
          scheduledAt: tsToDate(p.scheduledTime as Ts),
        }
      : null,
  };
}

/** The last workflow task failure or timeout, newest events first; null if the last task completed. */
export async function lastTaskFailure(temporal: Client, workflowId: string, runId: string | undefined): Promise<TaskFailure> {
  const res = await temporal.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () =>
    temporal.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: temporal.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 200,
    }),
  );
  for (const e of res.history?.events ?? []) {
    const at = tsToDate(e.eventTime as Ts);
    if (e.workflowTaskFailedEventAttributes) {
      const f = e.workflowTaskFailedEventAttributes.failure;
      return { kind: 'failed', message: f?.message || 'workflow task failed without a message', at };
    }
    if (e.workflowTaskTimedOutEventAttributes) return { kind: 'timed-out', at };
    if (e.workflowTaskCompletedEventAttributes) return null;
  }
  return null;
}

/**
 * Asks Temporal how the study's workflow is doing. Never throws: a Temporal that cannot be asked
 * reads as `unknown` (the study data from Postgres is still worth showing).
 */
export async function workflowHealth(temporal: Client, workflowId: string, now = Date.now()): Promise<StudyHealth> {
  try {
    const s = await snapshot(temporal, workflowId);
    const { health, needsHistory } = classifySnapshot(s, now);
    if (!needsHistory) return health;
    return classifyRetriedTask(s.pendingTask!.attempt, await lastTaskFailure(temporal, workflowId, s.runId));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      return { state: 'stalled', reason: `its workflow ${workflowId} no longer exists in Temporal; cancel the study to close its trials`, since: null };
    }
    return { state: 'unknown', reason: `could not ask Temporal about workflow ${workflowId}: ${oneLine((err as Error).message ?? String(err), 200)}`, since: null };
  }
}

/**
 * Health for many workflows at once (a page of studies), a few describes at a time, with a short
 * cache: the dashboard polls the list every second or two.
 */
export function createHealthCache(temporal: Client, ttlMs = 2_000, concurrency = 8) {
  const cache = new Map<string, { at: number; health: Promise<StudyHealth> }>();
  function one(workflowId: string): Promise<StudyHealth> {
    const now = Date.now();
    const hit = cache.get(workflowId);
    if (hit && now - hit.at < ttlMs) return hit.health;
    const health = workflowHealth(temporal, workflowId, now);
    cache.set(workflowId, { at: now, health });
    if (cache.size > 500) {
      for (const [k, v] of cache) if (now - v.at >= ttlMs) cache.delete(k);
    }
    return health;
  }
  async function many(workflowIds: string[]): Promise<Map<string, StudyHealth>> {
    const out = new Map<string, StudyHealth>();
    for (let i = 0; i < workflowIds.length; i += concurrency) {
      const chunk = workflowIds.slice(i, i + concurrency);
      const results = await Promise.all(chunk.map(one));
      chunk.forEach((id, j) => out.set(id, results[j]));
    }
    return out;
  }
  return { one, many, forget: (workflowId: string) => void cache.delete(workflowId) };
}
