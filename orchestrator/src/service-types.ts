import type { TStudyConfig, TStudyConfigInput, TParams, TStudyKind } from '@stepwise/core';

/**
 * The launch/control surface that the tRPC server (web/) calls. Implemented in service.ts on top
 * of @stepwise/db and the Temporal client; this file holds only the shapes so web and client code
 * can be written against them.
 */

export type StudyStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type TrialStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StudySource = 'dashboard' | 'client' | 'schedule';

export interface StudySummary {
  id: string;
  name: string;
  kind: TStudyKind;
  status: StudyStatus;
  source: StudySource;
  scheduleId: string | null;
  direction: 'minimize' | 'maximize';
  metric: string;
  trialsTotal: number;
  trialsCompleted: number;
  trialsFailed: number;
  trialsRunning: number;
  bestValue: number | null;
  bestTrialNumber: number | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface StudyDetail extends StudySummary {
  config: TStudyConfig;
  workflowId: string | null;
  /** Best-so-far curve: value of the best completed trial after each completed trial, by trial number order of completion. */
  bestSoFar: Array<{ trialNumber: number; value: number; best: number }>;
}

export interface TrialRow {
  id: string;
  number: number;
  status: TrialStatus;
  params: TParams;
  value: number | null;
  /** Estimate with error bars (noisy objectives); null fields for exact objectives. */
  stderr: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  attempt: number;
  worker: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export type TrialSortField = 'number' | 'value' | 'finishedAt';

export interface ListTrialsInput {
  studyId: string;
  /** Opaque cursor from the previous page's nextCursor. */
  cursor?: string | null;
  limit: number; // 1..500
  sort: TrialSortField;
  order: 'asc' | 'desc';
  status?: TrialStatus;
}

export interface TrialPage {
  items: TrialRow[];
  nextCursor: string | null;
  total: number;
}

export interface ScheduleSpecInput {
  /** Exactly one of cron (e.g. "0 3 * * *") or intervalSeconds (>= 1). */
  cron?: string;
  intervalSeconds?: number;
}

export interface ScheduleRow {
  id: string;
  name: string;
  spec: ScheduleSpecInput;
  template: TStudyConfig;
  paused: boolean;
  temporalScheduleId: string;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  studiesCreated: number;
  createdAt: Date;
}

/** Thrown for bad input: `field` is a dotted path like "budget.parallel"; nothing was written. */
export class ValidationError extends Error {
  constructor(
    readonly issues: Array<{ field: string; message: string }>,
  ) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

export interface StepwiseService {
  listStudies(input: { limit: number; cursor?: string | null; status?: StudyStatus }): Promise<{ items: StudySummary[]; nextCursor: string | null }>;
  getStudy(id: string): Promise<StudyDetail>;
  /** Validates `config` (unknown input) with ZStudyConfig; throws ValidationError naming fields. */
  launchStudy(input: { config: TStudyConfigInput | unknown; source: StudySource }): Promise<StudySummary>;
  cancelStudy(id: string): Promise<StudySummary>;
  listTrials(input: ListTrialsInput): Promise<TrialPage>;
  createSchedule(input: { name: string; spec: ScheduleSpecInput; template: unknown; paused?: boolean }): Promise<ScheduleRow>;
  listSchedules(): Promise<ScheduleRow[]>;
  pauseSchedule(id: string): Promise<ScheduleRow>;
  unpauseSchedule(id: string): Promise<ScheduleRow>;
  /** Fires the schedule now; resolves when Temporal has accepted the trigger. */
  triggerSchedule(id: string): Promise<ScheduleRow>;
  deleteSchedule(id: string): Promise<{ id: string }>;
}
