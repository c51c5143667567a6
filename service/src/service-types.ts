import type { TStudyConfig, TParams, TStudyKind } from '@stepwise/core';
import type { CreateScheduleInput } from './create-schedule';
import type { ListStudiesInput, StudyPage } from './list-studies';
import type { LaunchStudyInput } from './launch-study';
import type { ListTrialsInput, TrialPage } from './list-trials';
import type { ParallelCoordinatesInput, ParallelData } from './get-parallel-coordinates';
import type { ParetoFrontInput, ParetoFrontView } from './get-pareto-front';
import type { SampleGrid, SampleGridRequest } from './render-samples';
import type { SurrogateInput, SurrogateResult } from './get-surrogate';
import type { TrialBlocks, TrialBlocksInput } from './get-trial-blocks';
import type { CompareTrialsInput, TrialComparison } from './compare-trials';
import type { StudySnapshot, StudySnapshotInput } from './get-study-snapshot';
import type { TrialPoints, TrialPointsInput } from './get-trial-points';
import type { TrialCurves, TrialCurvesInput } from './get-trial-curves';
import type { SetStudyNotesInput, StudyNotes } from './set-study-notes';
import type { GetS3StudyInput, S3StudyView } from './get-s3-study';

// Each use case's own input/output types live beside it in service/; re-exported here so web and
// client code keep one place to import the API's shapes from.
export type { CreateScheduleInput } from './create-schedule';
export type { ListStudiesInput, StudyPage } from './list-studies';
export type { LaunchStudyInput } from './launch-study';
export type { ListTrialsInput, TrialPage, TrialSortField } from './list-trials';
export type { ParallelAxis, ParallelCoordinatesInput, ParallelData } from './get-parallel-coordinates';
export type { ParetoFrontInput, ParetoFrontView } from './get-pareto-front';
export type { SampleGrid, SampleGridRequest } from './render-samples';
export type { SurrogateAxis, SurrogateInput, SurrogateResult } from './get-surrogate';
export type { TrialBlockPoint, TrialBlocks, TrialBlocksInput, EndpointSummary } from './get-trial-blocks';
export type { CompareTrialsInput, ComparedTrial, ComparisonInterval, TrialComparison } from './compare-trials';

/**
 * The launch/control surface that the tRPC server (web/) calls. Implemented in index.ts (one use case a file beside it) on top
 * of @stepwise/db and the Temporal client; this file holds only the shapes so web and client code
 * can be written against them.
 */

export type StudyStatus = 'queued' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
export type TrialStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'pruned';
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
  /** Trials the study's pruner stopped early (issue #14, item 6). */
  trialsPruned: number;
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
  /** Multi-objective studies: every objective's value (config order) once completed, and whether the trial is on the Pareto front. */
  values?: number[];
  onFront?: boolean;
  attempt: number;
  worker: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ScheduleSpecInput {
  /** Exactly one of cron (e.g. "0 3 * * *") or intervalSeconds (>= 1). */
  cron?: string;
  intervalSeconds?: number;
  /** Intervals run every intervalSeconds from this moment (the schedule's creation), not from the hour. */
  anchoredAt?: string;
  /**
   * The seed of each run's study: 'fixed' (the template's), 'increment' (template seed + the
   * number of studies the schedule made before) or 'random' (drawn per run, kept in the study's
   * config). Default 'increment' for new schedules; stored schedules without one are 'fixed'.
   */
  seedPolicy?: 'fixed' | 'increment' | 'random';
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
  constructor(what: string, id: string, hint?: string) {
    super(`${what} ${id} not found${hint ? ` (${hint})` : ''}`);
    this.name = 'NotFoundError';
  }
}

export interface StepwiseService {
  /** Draws samples on a compute worker and returns them as a PNG (grid, or 2-D histogram). */
  renderSamples(input: SampleGridRequest): Promise<SampleGrid>;
  listStudies(input: ListStudiesInput): Promise<StudyPage>;
  getStudy(id: string): Promise<StudyDetail>;
  /** Validates `config` (unknown input) with ZStudyConfig; throws ValidationError naming fields. */
  launchStudy(input: LaunchStudyInput): Promise<StudySummary>;
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
  createSchedule(input: CreateScheduleInput): Promise<ScheduleRow>;
  listSchedules(): Promise<ScheduleRow[]>;
  pauseSchedule(id: string): Promise<ScheduleRow>;
  unpauseSchedule(id: string): Promise<ScheduleRow>;
  /** Fires the schedule now; resolves when Temporal has accepted the trigger. */
  triggerSchedule(id: string): Promise<ScheduleRow>;
  deleteSchedule(id: string): Promise<{ id: string }>;
  /** A trial's seed blocks in order with the running merged estimate; NotFoundError for an unknown trial. */
  getTrialBlocks(input: TrialBlocksInput): Promise<TrialBlocks>;
  /**
   * Paired interval of mean(A - B) of two trials of a study over their common seeds (common random
   * numbers), with the unpaired one beside it; ValidationError when they share no seeds.
   */
  compareTrials(input: CompareTrialsInput): Promise<TrialComparison>;
  /** GP surrogate slice; ValidationError naming "x" / "y" for unknown or categorical parameters. */
  getSurrogate(input: SurrogateInput): Promise<SurrogateResult>;
  /** Up to `limit` completed trials' params and values (parallel coordinates). */
  getParallelCoordinates(input: ParallelCoordinatesInput): Promise<ParallelData>;
  /** A multi-objective study's front, scatter points and hypervolume curve; ValidationError for one objective. */
  getParetoFront(input: ParetoFrontInput): Promise<ParetoFrontView>;
  /** The same completed trials with each value's interval (the study page's insight views). */
  getTrialPoints(input: TrialPointsInput): Promise<TrialPoints>;
  /** Learning curves of a study's trials (pruning, issue #14 item 6), thinned on the server. */
  getTrialCurves(input: TrialCurvesInput): Promise<TrialCurves>;
  /** Study, trials page and notes read in one transaction (the study page's panels agree). */
  getStudySnapshot(input: StudySnapshotInput): Promise<StudySnapshot>;
  /** An s3 study's per-NFE standing, stage records and holdout report; ValidationError for another kind. */
  getS3Study(input: GetS3StudyInput): Promise<S3StudyView>;
  /** Replaces a study's notes; ValidationError on "notes" past the text limits. */
  setStudyNotes(input: SetStudyNotesInput): Promise<StudyNotes>;
}
