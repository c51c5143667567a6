import {
  CancellationScope, condition, continueAsNew, defineQuery, defineSignal, isCancellation, proxyActivities, proxyLocalActivities,
  setHandler, workflowInfo, ApplicationFailure,
} from '@temporalio/workflow';
import {
  defaultBatchSize, planTrials, reachesTarget, type TStudyConfig,
} from '@stepwise/core';
import type { NewTrial } from '@stepwise/db';
import type { DbActivities } from '../activities/db-activities';
import { createTrialEvaluator } from './evaluate-trials';
import { runEvaluateStudy } from './evaluate-study';

/**
 * One study, from first proposal to final status. Keeps `parallel` trials in flight on the
 * compute queue; each batch is recorded as running before dispatch and finished in one idempotent
 * write after, so a crash of any worker neither loses nor duplicates a trial. Long studies
 * continue-as-new to keep the event history small.
 */

export interface StudyWorkflowInput {
  studyId: string;
  config: TStudyConfig;
  computeQueue?: string;
  /** Set by continue-as-new: the first trial number this run dispatches. */
  nextNumber?: number;
  completedBefore?: number;
}

export interface StudyProgress {
  dispatched: number;
  finished: number;
  inFlight: number;
  total: number;
  paused: boolean;
}

export const progressQuery = defineQuery<StudyProgress>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

/** Trials one run dispatches before continuing as new (bounded history: ~20 events per batch). */
const TRIALS_PER_RUN = 1000;

const db = proxyActivities<DbActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 },
});

/**
 * The per-batch writes run as local activities: they are short, idempotent and executed by the
 * orchestrator that runs this workflow, which saves two task-queue round trips per batch. If the
 * worker dies before the result is recorded, the write simply runs again.
 */
const trialWrites = proxyLocalActivities<DbActivities>({
  startToCloseTimeout: '20s',
  localRetryThreshold: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 },
});

export async function studyWorkflow(input: StudyWorkflowInput): Promise<{ status: 'completed' }> {
  const { studyId, config } = input;
  const plan = planTrials(config);
  const evaluateTrials = createTrialEvaluator({ studyId, config, space: plan.space, computeQueue: input.computeQueue });
  const batchSize = defaultBatchSize(config);
  const direction = config.objective.direction;
  const startNumber = input.nextNumber ?? 0;
  const runLimit = Math.min(plan.total, startNumber + TRIALS_PER_RUN);

  let next = startNumber;
  let inFlight = 0;
  let finished = input.completedBefore ?? startNumber;
  let paused = false;
  let fatal: unknown = null;
  let targetReached = false;
  let exhausted = false;
  const dispatching = () => !paused && !targetReached && !exhausted && next < runLimit;

  setHandler(progressQuery, () => ({ dispatched: next, finished, inFlight, total: plan.total, paused }));
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });

  /** Recorded trials for `numbers`: planned in this workflow, or proposed by an activity. */
  async function recordProposals(numbers: number[]): Promise<NewTrial[]> {
    if (plan.params) {
      const trials = numbers.map((number) => ({ number, params: plan.params!(number) }));
      await trialWrites.insertTrials({ studyId, trials });
      return trials;
    }
    return db.proposeTrials({ studyId, numbers });
  }

  async function runBatch(numbers: number[]): Promise<void> {
    const trials = await recordProposals(numbers);
    if (trials.length < numbers.length) exhausted = true; // a finite space has no unused point left
    if (trials.length === 0) return;
    const results = await evaluateTrials(trials);
    await trialWrites.recordTrialResults({ studyId, direction, results });
    if (results.some((r) => reachesTarget(config, r.value))) targetReached = true;
  }

  try {
    if (input.nextNumber === undefined) await db.markStudyRunning(studyId);
    if (config.kind === 'evaluate') {
      await runEvaluateStudy(studyId, config, input.computeQueue);
      next = plan.total;
    }
    let recordedPaused = false;
    for (;;) {
      while (dispatching() && inFlight < config.budget.parallel) {
        const count = Math.min(batchSize, runLimit - next, config.budget.parallel - inFlight);
        const numbers = Array.from({ length: count }, (_, i) => next + i);
        next += count;
        inFlight += count;
        runBatch(numbers).then(
          () => {
            inFlight -= count;
            finished += count;
          },
          (err) => {
            inFlight -= count;
            if (!isCancellation(err) && fatal === null) fatal = err;
          },
        );
      }
      const done = () => inFlight === 0 && (next >= runLimit || targetReached || exhausted);
      if (done()) break;
      await condition(() => fatal !== null || paused !== recordedPaused || (dispatching() && inFlight < config.budget.parallel) || done());
      if (fatal !== null) throw fatal;
      if (paused !== recordedPaused) {
        recordedPaused = paused;
        await db.setStudyPaused({ studyId, paused });
      }
    }
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => db.finishStudy({ studyId, status: 'cancelled' }));
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    await CancellationScope.nonCancellable(() => db.finishStudy({ studyId, status: 'failed', error: message }));
    throw ApplicationFailure.nonRetryable(`study ${studyId} (${workflowInfo().workflowId}) failed: ${message}`);
  }
  if (next < plan.total && !targetReached && !exhausted) {
    return continueAsNew<typeof studyWorkflow>({ ...input, nextNumber: next, completedBefore: finished });
  }
  await db.finishStudy({ studyId, status: 'completed' });
  return { status: 'completed' };
}
