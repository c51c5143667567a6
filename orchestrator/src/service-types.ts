import type { BlockSeriesPoint, SurrogateAxisOut, SurrogateSliceOut } from '@stepwise/core';
import type { SampleGridInput, TStudyConfig, TStudyConfigInput, TParams, TStudyKind } from '@stepwise/core';

/**
 * The launch/control surface that the tRPC server (web/) calls. Implemented in service.ts on top
 * of @stepwise/db and the Temporal client; this file holds only the shapes so web and client code
 * can be written against them.
 */

export type StudyStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type TrialStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StudySource = 'dashboard' | 'client' | 'schedule';

/**
 * Whether a live study's workflow can make progress, as Temporal sees it. The row's status is what
 * the workflow last recorded; a workflow whose every task fails (nondeterminism after a deploy)
 * would otherwise look `running` forever.
 */
export interface StudyHealth {
  /** ok: Temporal runs the workflow normally; stalled: it cannot move (see reason); unknown: Temporal could not be asked. */
  state: 'ok' | 'stalled' | 'unknown';
  /** Why, in words ("workflow task failing (attempt 12): [TMPRL1100] Nondeterminism error: ..."); null when ok. */
  reason: string | null;
  /** When the current fault began (first failure of the workflow task), when known. */
  since: Date | null;
}

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
  /** Present on running/paused studies from getStudy and listStudies (asked of Temporal); absent otherwise. */
  health?: StudyHealth;
}

export interface StudyDetail extends StudySummary {
  config: TStudyConfig;
  workflowId: string | null;
  /** Best-so-far curve: value of the best completed trial after each completed trial, by trial number order of completion. */
  bestSoFar: Array<{ trialNumber: number; value: number; best: number }>;
  /** The best trial in full (its interval and n for noisy objectives); null before the first completion. */
  bestTrial?: TrialRow | null;
  /**
   * The study's strategy state as stored (JSON), or null: for `evaluate` studies the race status
   * while it runs (`{ kind: 'evaluate', phase: 'race', race }`) and the EvaluationSummary when it
   * has finished (workflows/evaluate-study.ts); for `bayesopt` the GP warm-start state.
   */
  strategy?: unknown;
}

/** Why an adaptive strategy proposed a trial (bayesopt); null for grid/random trials. */
export interface TrialProposal {
  /** 'initial' (space-filling design) or 'acquisition' (maximiser of the acquisition function). */
  kind: string;
  /** log EI in objective units, the UCB/LCB bound, or the TPE score; absent for initial points. */
  acquisitionValue?: number | null;
  method?: string;
  /** Completed and in-flight trials the proposal saw. */
  observations?: number;
  pending?: number;
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
  /** Why the point was proposed (adaptive strategies); null otherwise. */
  proposal: TrialProposal | null;
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

/** One seed block of a trial's Monte Carlo estimate and the merged estimate after it. */
export type TrialBlockPoint = BlockSeriesPoint;

export interface TrialBlocks {
  trialId: string;
  studyId: string;
  number: number;
  status: TrialStatus;
  /** Confidence level of the intervals (the objective's estimation.confidence, else 0.95). */
  confidence: number;
  /** The trial's recorded estimate (null until it finishes). */
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  blocks: TrialBlockPoint[];
}

/** One axis of a surrogate slice: the parameter's range and the grid coordinates along it. */
export type SurrogateAxis = SurrogateAxisOut;

export interface SurrogateInput {
  studyId: string;
  /** Names of two distinct float/int parameters. */
  x: string;
  y: string;
  resolution: number;
}

/** GP posterior on a 2-D slice of the search space, the other parameters at the best trial's values. */
export interface SurrogateResult extends SurrogateSliceOut {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  resolution: number;
  trialsUsed: number;
  trialsCompleted: number;
  bestTrialNumber: number | null;
  /** Why there is no surface yet (too few completed trials), else null. */
  message: string | null;
}

export interface ParallelAxis {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: number | null;
  high: number | null;
  log: boolean;
  choices: Array<string | number | boolean> | null;
}

export interface ParallelData {
  studyId: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  axes: ParallelAxis[];
  /** Completed trials, evenly thinned by trial number when there are more than the limit. */
  rows: Array<{ number: number; params: TParams; value: number }>;
  /** Completed trials with a value in the study. */
  total: number;
  sampled: boolean;
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

export type SampleGridRequest = SampleGridInput;

export interface SampleGrid {
  /** data:image/png;base64,... */
  dataUrl: string;
  shape: number[];
  nfe: number;
}

export interface StepwiseService {
  /** Draws samples on a compute worker and returns them as a PNG (grid, or 2-D histogram). */
  renderSamples(input: SampleGridRequest): Promise<SampleGrid>;
  listStudies(input: { limit: number; cursor?: string | null; status?: StudyStatus }): Promise<{ items: StudySummary[]; nextCursor: string | null }>;
  getStudy(id: string): Promise<StudyDetail>;
  /** Validates `config` (unknown input) with ZStudyConfig; throws ValidationError naming fields. */
  launchStudy(input: { config: TStudyConfigInput | unknown; source: StudySource }): Promise<StudySummary>;
  /**
   * Requests cancellation; a workflow that is stalled, or does not close within a few seconds, is
   * terminated and the study closed as cancelled with all its open trials in one transaction.
   * Idempotent: cancelling a finished study returns it unchanged.
   */
  cancelStudy(id: string): Promise<StudySummary>;
  /** Stops dispatching new trials (in-flight ones finish); resumeStudy continues. Only a running/paused study. */
  pauseStudy(id: string): Promise<StudySummary>;
  resumeStudy(id: string): Promise<StudySummary>;
  listTrials(input: ListTrialsInput): Promise<TrialPage>;
  createSchedule(input: { name: string; spec: ScheduleSpecInput; template: unknown; paused?: boolean }): Promise<ScheduleRow>;
  listSchedules(): Promise<ScheduleRow[]>;
  pauseSchedule(id: string): Promise<ScheduleRow>;
  unpauseSchedule(id: string): Promise<ScheduleRow>;
  /** Fires the schedule now; resolves when Temporal has accepted the trigger. */
  triggerSchedule(id: string): Promise<ScheduleRow>;
  deleteSchedule(id: string): Promise<{ id: string }>;
  /** A trial's seed blocks in order with the running merged estimate; NotFoundError for an unknown trial. */
  getTrialBlocks(input: { trialId: string }): Promise<TrialBlocks>;
  /** GP surrogate slice; ValidationError naming "x" / "y" for unknown or categorical parameters. */
  getSurrogate(input: SurrogateInput): Promise<SurrogateResult>;
  /** Up to `limit` completed trials' params and values (parallel coordinates). */
  getParallelCoordinates(input: { studyId: string; limit: number }): Promise<ParallelData>;
}
