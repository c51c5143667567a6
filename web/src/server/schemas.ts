import { z } from 'zod';
import type { TStudyConfig } from '@stepwise/core';
import type {
  ParallelData,
  ScheduleRow,
  StudyDetail,
  StudySource,
  StudyStatus,
  StudySummary,
  SurrogateResult,
  TrialBlocks,
  TrialProposal,
  TrialRow,
  TrialSortField,
  TrialStatus,
} from '@stepwise/service/service-types';

/**
 * Output shapes shared by several procedures. They mirror service-types.ts one to one; the type
 * checks at the bottom fail the build when the contract and these schemas drift apart.
 */

export const STUDY_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export const ACTIVE_STUDY_STATUSES: ReadonlyArray<StudyStatus> = ['queued', 'running', 'paused'];
export const TERMINAL_STUDY_STATUSES: ReadonlyArray<StudyStatus> = ['completed', 'failed', 'cancelled'];
export const ZStudyStatus = z.enum(STUDY_STATUSES);
export const ZTrialStatus = z.enum(['pending', 'running', 'completed', 'failed', 'cancelled', 'pruned']);
export const ZStudySource = z.enum(['dashboard', 'client', 'schedule']);
export const ZTrialSortField = z.enum(['number', 'value', 'finishedAt']);
export const ZSortOrder = z.enum(['asc', 'desc']);
export const ZId = z.string().trim().min(1, 'an id is required').max(200);

// Records: a trial's `schedule` parameter is a whole solver schedule (JSON).
const ZParamValue = z.union([z.number(), z.string(), z.boolean(), z.record(z.string(), z.unknown())]);
const ZStudyConfigStored = z.custom<TStudyConfig>((v) => typeof v === 'object' && v !== null, 'config must be an object');

/** Temporal's view of a live study's workflow (service-types.ts StudyHealth). */
export const ZStudyHealth = z.object({
  state: z.enum(['ok', 'stalled', 'unknown']),
  reason: z.string().nullable(),
  since: z.date().nullable(),
});

export const ZStudySummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['grid', 'random', 'bayesopt', 's3', 'evaluate']),
  status: ZStudyStatus,
  source: ZStudySource,
  scheduleId: z.string().nullable(),
  direction: z.enum(['minimize', 'maximize']),
  metric: z.string(),
  trialsTotal: z.number(),
  trialsCompleted: z.number(),
  trialsFailed: z.number(),
  trialsPruned: z.number(),
  trialsRunning: z.number(),
  bestValue: z.number().nullable(),
  bestTrialNumber: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  health: ZStudyHealth.optional(),
});

export const ZBestSoFarPoint = z.object({
  trialNumber: z.number(),
  value: z.number(),
  best: z.number(),
  // Not in the service contract yet: passed through when the service supplies them, so the
  // chart can draw error bars for noisy objectives.
  ciLow: z.number().nullable().optional(),
  ciHigh: z.number().nullable().optional(),
});


export const ZTrialProposal = z.object({
  kind: z.string(),
  acquisitionValue: z.number().nullable().optional(),
  method: z.string().optional(),
  observations: z.number().optional(),
  pending: z.number().optional(),
});

export const ZTrialRow = z.object({
  id: z.string(),
  number: z.number(),
  status: ZTrialStatus,
  params: z.record(z.string(), ZParamValue),
  value: z.number().nullable(),
  stderr: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  n: z.number().nullable(),
  proposal: ZTrialProposal.nullable(),
  values: z.array(z.number()).optional(),
  onFront: z.boolean().optional(),
  attempt: z.number(),
  worker: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});

export const ZStudyDetail = ZStudySummary.extend({
  config: ZStudyConfigStored,
  workflowId: z.string().nullable(),
  bestSoFar: z.array(ZBestSoFarPoint),
  bestTrial: ZTrialRow.nullable().optional(),
  /**
   * The strategy state JSON as stored (null when none), passed through unchecked: the dashboard
   * and CLI read it with the guards of lib/evaluate.ts (EvaluationSummary / race status).
   */
  strategy: z.unknown().optional(),
});

export const ZTrialPage = z.object({
  items: z.array(ZTrialRow),
  nextCursor: z.string().nullable(),
  total: z.number(),
});

export const ZTrialBlockPoint = z.object({
  blockIndex: z.number(),
  seedStart: z.number(),
  seedEnd: z.number(),
  blockN: z.number(),
  blockMean: z.number(),
  n: z.number(),
  mean: z.number(),
  stderr: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  halfWidth: z.number().nullable(),
  createdAt: z.date().nullable(),
});

export const ZTrialBlocks = z.object({
  trialId: z.string(),
  studyId: z.string(),
  number: z.number(),
  status: ZTrialStatus,
  confidence: z.number(),
  value: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  n: z.number().nullable(),
  blocks: z.array(ZTrialBlockPoint),
  /** rmse trials: pooled RMSE and wrong-component share (get-trial-blocks.ts EndpointSummary). */
  endpoint: z.object({ n: z.number(), rmsePooled: z.number().nullable(), wrongComponentShare: z.number().nullable() }).nullable().optional(),
});

const ZDirection = z.enum(['minimize', 'maximize']);

export const ZSurrogateAxis = z.object({
  name: z.string(),
  type: z.enum(['float', 'int']),
  low: z.number(),
  high: z.number(),
  log: z.boolean(),
  values: z.array(z.number()),
});

export const ZSurrogateResult = z.object({
  studyId: z.string(),
  metric: z.string(),
  direction: ZDirection,
  resolution: z.number(),
  x: ZSurrogateAxis,
  y: ZSurrogateAxis,
  mean: z.array(z.array(z.number())),
  std: z.array(z.array(z.number())),
  fixed: z.record(z.string(), ZParamValue),
  observations: z.array(z.object({ number: z.number(), x: z.number(), y: z.number(), value: z.number() })),
  trialsUsed: z.number(),
  trialsCompleted: z.number(),
  bestTrialNumber: z.number().nullable(),
  message: z.string().nullable(),
});

export const ZParallelData = z.object({
  studyId: z.string(),
  metric: z.string(),
  direction: ZDirection,
  axes: z.array(
    z.object({
      name: z.string(),
      type: z.enum(['float', 'int', 'categorical']),
      low: z.number().nullable(),
      high: z.number().nullable(),
      log: z.boolean(),
      choices: z.array(ZParamValue).nullable(),
    }),
  ),
  rows: z.array(z.object({ number: z.number(), params: z.record(z.string(), ZParamValue), value: z.number() })),
  total: z.number(),
  sampled: z.boolean(),
});

export const ZScheduleSpec = z.object({
  cron: z.string().optional(),
  intervalSeconds: z.number().optional(),
  anchoredAt: z.string().optional(),
  seedPolicy: z.enum(['fixed', 'increment', 'random']).optional(),
});

export const ZScheduleRow = z.object({
  id: z.string(),
  name: z.string(),
  spec: ZScheduleSpec,
  template: ZStudyConfigStored,
  paused: z.boolean(),
  temporalScheduleId: z.string(),
  lastRunAt: z.date().nullable(),
  nextRunAt: z.date().nullable(),
  studiesCreated: z.number(),
  createdAt: z.date(),
});

// Compile-time contract checks (both directions: nothing missing, nothing extra required).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type _ContractChecks = [
  Assert<Same<z.infer<typeof ZStudyStatus>, StudyStatus>>,
  Assert<Same<z.infer<typeof ZTrialStatus>, TrialStatus>>,
  Assert<Same<z.infer<typeof ZStudySource>, StudySource>>,
  Assert<Same<z.infer<typeof ZTrialSortField>, TrialSortField>>,
  Assert<Same<z.infer<typeof ZStudySummary>, StudySummary>>,
  Assert<StudyDetail extends z.input<typeof ZStudyDetail> ? true : false>,
  Assert<Same<z.infer<typeof ZTrialRow>, TrialRow>>,
  Assert<Same<z.infer<typeof ZTrialProposal>, TrialProposal>>,
  Assert<Same<z.infer<typeof ZTrialBlocks>, TrialBlocks>>,
  Assert<Same<z.infer<typeof ZSurrogateResult>, SurrogateResult>>,
  Assert<Same<z.infer<typeof ZParallelData>, ParallelData>>,
  Assert<Same<z.infer<typeof ZScheduleRow>, ScheduleRow>>,
];

export type TStudySummaryOut = z.infer<typeof ZStudySummary>;
export type TStudyDetailOut = z.infer<typeof ZStudyDetail>;
export type TTrialRowOut = z.infer<typeof ZTrialRow>;
export type TTrialBlocksOut = z.infer<typeof ZTrialBlocks>;
export type TSurrogateOut = z.infer<typeof ZSurrogateResult>;
export type TParallelOut = z.infer<typeof ZParallelData>;
export type TScheduleRowOut = z.infer<typeof ZScheduleRow>;
