import type { TStudyConfig } from '@stepwise/core';
import type { ScheduleRowDb, StudyRow, TrialRowDb } from '@stepwise/db';
import type { ScheduleRow, ScheduleSpecInput, StudySummary, TrialProposal, TrialRow } from './service-types';

/** Database rows as the API shapes, shared by the use cases that return them. */

export function toSummary(row: StudyRow, running = 0): StudySummary {
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
    trialsPruned: row.trialsPruned,
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

export function toTrialRow(t: TrialRowDb): TrialRow {
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
    // Only multi-objective trials have objective values; other rows keep their old shape.
    ...(t.objectiveValues.length > 0 ? { values: t.objectiveValues, onFront: t.onFront } : {}),
    attempt: t.attempt,
    worker: t.worker,
    error: t.error,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

export function toScheduleRow(s: ScheduleRowDb): ScheduleRow {
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
