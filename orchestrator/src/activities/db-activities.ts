import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { ZStudyConfig, formatIssues, planTrials, studyDirections, type TParams, type ThresholdoutConfig, type TStudyConfig } from '@stepwise/core';
import {
  createStudy, finishStudy, getScheduleRow, getStudyRow, insertTrials, markStudyRunning, recordMultiObjectiveResults, recordTrialResults, setStudyPaused,
  recordTrialBlock, setStrategyState, trialBlocks, updateScheduleRow, type Db, type NewTrial, type TrialBlockRecord, type TrialResult,
} from '@stepwise/db';
import { proposeTrials } from './propose-trials';
import { recordAndJudge, type RecordIntermediateInput, type RecordIntermediateOutcome } from './pruning';
import { applyThresholdoutQuery, updateStrategyState, withFinal, type FinalNumbers, type ThresholdoutOutcome } from './holdout';

export type { FinalNumbers, ThresholdoutOutcome, ThresholdoutQueryRecord, ThresholdoutRecord } from './holdout';

const MAX_SEED = 2 ** 31 - 1;

/**
 * The seed of a scheduled run's study, by the schedule's seed policy (stored in its spec; none
 * stored: 'fixed', as schedules made before the policy existed ran). 'increment' adds the number
 * of studies the schedule made before; 'random' hashes the run's workflow id, so a retried
 * activity picks the same seed (and the study row, keyed by that id, is the same anyway).
 */
async function runSeed(db: Db, schedule: { id: string; spec: unknown }, templateSeed: number, runId: string): Promise<number> {
  const policy = (schedule.spec as { seedPolicy?: string } | null)?.seedPolicy ?? 'fixed';
  if (policy === 'increment') return (templateSeed + (await db.study.count({ where: { scheduleId: schedule.id } }))) % MAX_SEED;
  if (policy === 'random') return Number.parseInt(createHash('sha256').update(runId).digest('hex').slice(0, 8), 16) % MAX_SEED;
  return templateSeed;
}

/**
 * Orchestration activities: every database write a workflow makes goes through here, and each
 * one is idempotent, so Temporal may retry any of them after a crash without duplicating data.
 */
/** Per-seed values stay in Postgres (read with studyTrialBlocks): a trial's may be maxSamples numbers. */
function withoutValues(blocks: TrialBlockRecord[]): TrialBlockRecord[] {
  return blocks.map(({ values: _values, ...b }) => b);
}

/**
 * Results of a multi-objective study carry `values` (evaluate-trials.ts); those go through
 * recordMultiObjectiveResults (values and the Pareto front, same transaction), with the
 * directions read from the study's config. Single-objective results take the path they always did.
 */
async function recordResults(db: Db, studyId: string, direction: 'minimize' | 'maximize', results: TrialResult[]): Promise<number> {
  if (!results.some((r) => Array.isArray(r.values))) return recordTrialResults(db, studyId, direction, results);
  const study = await getStudyRow(db, studyId);
  if (!study) throw ApplicationFailure.nonRetryable(`study ${studyId} does not exist`, 'StudyNotFound');
  return recordMultiObjectiveResults(db, studyId, studyDirections(ZStudyConfig.parse(study.config)), results);
}

export function createDbActivities(db: Db) {
  return {
    async markStudyRunning(studyId: string): Promise<void> {
      await markStudyRunning(db, studyId);
    },

    async setStudyPaused(input: { studyId: string; paused: boolean }): Promise<void> {
      await setStudyPaused(db, input.studyId, input.paused);
    },

    async insertTrials(input: { studyId: string; trials: NewTrial[] }): Promise<number> {
      return insertTrials(db, input.studyId, input.trials);
    },

    async recordTrialResults(input: { studyId: string; direction: 'minimize' | 'maximize'; results: TrialResult[] }): Promise<number> {
      return recordResults(db, input.studyId, input.direction, input.results);
    },

    /**
     * A finished batch's results and the next planned batch of the same slot in one call: the
     * results first, then the new trials (each part idempotent, so a retry after a partial run
     * repeats nothing).
     */
    async recordTrialResultsAndInsert(input: { studyId: string; direction: 'minimize' | 'maximize'; results: TrialResult[]; trials: NewTrial[] }): Promise<number> {
      const recorded = await recordResults(db, input.studyId, input.direction, input.results);
      await insertTrials(db, input.studyId, input.trials);
      return recorded;
    },

    /**
     * Adaptive proposals on the orchestrator queue: only runs recorded before PROPOSALS_QUEUE_PATCH
     * (workflows/proposals.ts) schedule them here; new runs use the proposals worker.
     */
    async proposeTrials(input: { studyId: string; numbers: number[] }): Promise<NewTrial[]> {
      return proposeTrials(db, input.studyId, input.numbers);
    },

    /** A trial's blocks without their per-seed values (the estimate needs only the stats; values would grow the payload). */
    async trialBlocks(input: { studyId: string; number: number }): Promise<TrialBlockRecord[]> {
      return withoutValues(await trialBlocks(db, input.studyId, input.number));
    },

    /**
     * Records one seed block; returns every block of the trial so far, or nothing with `quiet`
     * (a caller that keeps its own count need not carry every earlier block in each result).
     */
    async recordTrialBlock(input: { studyId: string; number: number; block: TrialBlockRecord; quiet?: boolean }): Promise<TrialBlockRecord[]> {
      const blocks = await recordTrialBlock(db, input.studyId, input.number, input.block);
      return input.quiet ? [] : withoutValues(blocks);
    },

    /** The recorded blocks (with per-seed values where kept) of trials `numbers`, in that order. */
    async studyTrialBlocks(input: { studyId: string; numbers: number[] }): Promise<TrialBlockRecord[][]> {
      return Promise.all(input.numbers.map((n) => trialBlocks(db, input.studyId, n)));
    },

    /** A command trial's new intermediate values, upserted on (trial, step), and the pruner's decision (activities/pruning.ts). */
    async recordIntermediateValues(input: RecordIntermediateInput): Promise<RecordIntermediateOutcome> {
      return recordAndJudge(db, input);
    },

    async saveStrategyState(input: { studyId: string; state: unknown }): Promise<void> {
      await setStrategyState(db, input.studyId, input.state);
    },

    /** The best completed trial by its search-time estimate (ties: the lower number), or null. */
    async bestSearchTrial(input: { studyId: string; direction: 'minimize' | 'maximize' }): Promise<{ number: number; params: TParams; value: number } | null> {
      const t = await db.trial.findFirst({
        where: { studyId: input.studyId, status: 'completed', value: { not: null } },
        orderBy: [{ value: input.direction === 'minimize' ? 'asc' : 'desc' }, { number: 'asc' }],
        select: { number: true, params: true, value: true },
      });
      return t && t.value !== null ? { number: t.number, params: t.params as TParams, value: t.value } : null;
    },

    /** Stores `strategyState.final`, keeping every other key of the strategy state (GP state, thresholdout). */
    async saveFinalNumbers(input: { studyId: string; final: FinalNumbers }): Promise<void> {
      await updateStrategyState(db, input.studyId, (current) => ({ result: undefined, next: withFinal(current, input.final) }));
    },

    /**
     * One Thresholdout query (search estimate `train` vs holdout mean `holdout` of trial
     * `trialNumber`), answered from and recorded in `strategyState.thresholdout`. Idempotent per
     * (study, trial); once the budget is spent it answers `refused` instead of failing.
     */
    async thresholdoutQuery(input: { studyId: string; config: ThresholdoutConfig; trialNumber: number; train: number; holdout: number }): Promise<ThresholdoutOutcome> {
      return updateStrategyState(db, input.studyId, (current) => {
        const { outcome, next } = applyThresholdoutQuery(current, input.config, input);
        return { result: outcome, next };
      });
    },

    /**
     * A study that ran to the end with no completed trial, only failed ones, has no result: it ends
     * `failed`, with the first trial's error, rather than `completed` (decided here, not in the
     * workflow, so recorded histories replay unchanged).
     */
    async finishStudy(input: { studyId: string; status: 'completed' | 'failed' | 'cancelled'; error?: string }): Promise<void> {
      if (input.status === 'completed') {
        const [completed, failed] = await Promise.all([
          db.trial.count({ where: { studyId: input.studyId, status: 'completed' } }),
          db.trial.count({ where: { studyId: input.studyId, status: 'failed' } }),
        ]);
        // Pruned trials have values (their last intermediate one): such a study has a result.
        const pruned = failed > 0 && completed === 0 ? await db.trial.count({ where: { studyId: input.studyId, status: 'pruned' } }) : 0;
        if (completed === 0 && failed > 0 && pruned === 0) {
          const first = await db.trial.findFirst({ where: { studyId: input.studyId, status: 'failed' }, orderBy: { number: 'asc' }, select: { number: true, error: true } });
          const why = first?.error ? `; trial ${first.number}: ${first.error}` : '';
          await finishStudy(db, input.studyId, 'failed', `every trial failed (${failed} of ${failed})${why}`);
          return;
        }
      }
      await finishStudy(db, input.studyId, input.status, input.error);
    },

    /**
     * A schedule firing becomes a Study row. Keyed by the study's workflow id, so a retried
     * activity returns the same study instead of creating a second one.
     */
    async materializeScheduledStudy(input: { scheduleId: string; studyWorkflowId: string }): Promise<{ studyId: string; config: TStudyConfig }> {
      const schedule = await getScheduleRow(db, input.scheduleId);
      if (!schedule) throw ApplicationFailure.nonRetryable(`schedule ${input.scheduleId} no longer exists`, 'ScheduleNotFound');
      const parsed = ZStudyConfig.safeParse(schedule.template);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(`schedule template is invalid: ${formatIssues(parsed.error).join('; ')}`, 'InvalidTemplate');
      }
      const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const seed = await runSeed(db, schedule, parsed.data.seed, input.studyWorkflowId);
      const config = { ...parsed.data, name: `${parsed.data.name} @ ${stamp}`, seed };
      const study = await createStudy(db, {
        config,
        source: 'schedule',
        scheduleId: schedule.id,
        trialsTotal: planTrials(config).total,
        workflowId: input.studyWorkflowId,
      });
      await updateScheduleRow(db, schedule.id, { lastRunAt: new Date() });
      return { studyId: study.id, config: study.config as unknown as TStudyConfig };
    },
  };
}

export type DbActivities = ReturnType<typeof createDbActivities>;
