import {
  CancellationScope, condition, continueAsNew, defineQuery, defineSignal, isCancellation, proxyActivities,
  setHandler, workflowInfo, ApplicationFailure,
} from '@temporalio/workflow';
import {
  ZStudyConfig, defaultBatchSize, formatIssues, planTrials, reachesTarget, type TStudyConfig,
} from '@stepwise/core';
import type { NewTrial, StudyProgress, StudyWorkflowInput } from '@stepwise/core';
import type { DbActivities } from '../activities/db-activities';
import { createTrialEvaluator } from './evaluate-trials';
import { runEvaluateStudy } from './evaluate-study';
import { createHoldout, type HoldoutTrial } from './holdout';
import { proposalsForRun } from './proposals';
import { initialS3State, runS3Phase, type S3RunState } from './s3-study';
import { trialWritesForRun } from './trial-writes';

/**
 * One study, from first proposal to final status. Keeps `parallel` trials in flight on the
 * compute queue; each batch is recorded as running before dispatch and finished in one idempotent
 * write after, so a crash of any worker neither loses nor duplicates a trial. Long studies
 * continue-as-new to keep the event history small; everything the next run needs (trial
 * counters, best estimate, pause) travels in its input. See docs/architecture.md, "Workflows".
 */

export const progressQuery = defineQuery<StudyProgress>('progress');
export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');

/** Trials one run dispatches before continuing as new (bounded history: ~20 events per batch). */
const TRIALS_PER_RUN = 1000;
const TRIALS_PER_RUN_PRUNED = 32;

const db = proxyActivities<DbActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 },
});

export async function studyWorkflow(input: StudyWorkflowInput): Promise<{ status: 'completed' }> {
  // Before any command: which write path this run was recorded with (see trial-writes.ts).
  const { writes: trialWrites, current } = trialWritesForRun();
  const proposals = proposalsForRun(current, input.proposalsQueue);
  const { studyId } = input;
  let config = input.config;
  if (current) {
    // The same schema as the API: a workflow started around the API (a script with Temporal
    // access, an old schedule template) cannot run a config the API would refuse.
    const parsed = ZStudyConfig.safeParse(input.config);
    if (!parsed.success) {
      const message = `invalid study config: ${formatIssues(parsed.error).join('; ')}`;
      await db.finishStudy({ studyId, status: 'failed', error: message });
      throw ApplicationFailure.nonRetryable(message, 'InvalidStudyConfig');
    }
    config = parsed.data;
  }
  const plan = planTrials(config);
  // A failure every worker would repeat ends the study once the failing batch is recorded.
  let deterministicFailure: string | null = null;
  const evaluateTrials = createTrialEvaluator({
    studyId, config, space: plan.space, computeQueue: input.computeQueue, writes: trialWrites,
    onDeterministicFailure: (reason) => {
      deterministicFailure ??= reason;
    },
  });
  const batchSize = defaultBatchSize(config);
  const direction = config.objective.direction;
  const startNumber = input.nextNumber ?? 0;
  // Studies with a pruner (a field earlier runs never have) record a trial's curve through signals
  // and activities (~10 events per batch of points, see pruned-trial.ts): fewer trials per run keep the history bounded.
  const runLimit = Math.min(plan.total, startNumber + (config.pruner ? TRIALS_PER_RUN_PRUNED : TRIALS_PER_RUN));
  const holdout = createHoldout({ studyId, config, computeQueue: input.computeQueue });
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);

  let next = startNumber;
  let inFlight = 0;
  let finished = input.completedBefore ?? startNumber;
  let paused = input.paused ?? false;
  let fatal: unknown = null;
  let targetReached = false;
  let exhausted = false;
  const dispatching = () => !paused && !targetReached && !exhausted && next < runLimit;
  // Thresholdout queries run one at a time, in the order new bests arrive, off the trial slots.
  let best = input.search?.best ?? null;
  let thresholdoutDone = input.search?.thresholdoutDone ?? false;
  let guardPending = 0;
  let guardChain: Promise<void> = Promise.resolve();

  // s3 studies learn their total once their baselines are listed.
  let s3Total = 0;
  setHandler(progressQuery, () => (config.kind === 's3'
    ? { dispatched: next, finished, inFlight: Math.max(0, next - finished), total: s3Total, paused }
    : { dispatched: next, finished, inFlight, total: plan.total, paused }));
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });

  // What the study row says about pausing. A continued run does not know (a signal may have
  // arrived while the previous run was completing), so it writes the state it starts with.
  const rowPausedAtStart: boolean | null = current && input.nextNumber !== undefined ? null : false;

  /** Waits while the study is paused, recording each change on the study row (evaluate studies). */
  let gatePaused: boolean | null = rowPausedAtStart;
  async function pauseGate(): Promise<void> {
    for (;;) {
      if (paused !== gatePaused) {
        gatePaused = paused;
        await db.setStudyPaused({ studyId, paused: gatePaused });
      }
      if (!paused) return;
      await condition(() => paused !== gatePaused);
    }
  }

  /** Writes the current pause state to the study row if it differs from what was recorded. */
  async function syncPausedRow(recorded: boolean | null): Promise<boolean> {
    if (paused !== recorded) await db.setStudyPaused({ studyId, paused });
    return paused;
  }

  const planned = (numbers: number[]): NewTrial[] => numbers.map((number) => ({ number, params: plan.params!(number) }));

  /** Recorded trials for `numbers`: planned in this workflow, or proposed by an activity. */
  async function recordProposals(numbers: number[]): Promise<NewTrial[]> {
    if (plan.params) {
      const trials = planned(numbers);
      await trialWrites.insertTrials({ studyId, trials });
      return trials;
    }
    return (proposals ?? db).proposeTrials({ studyId, numbers });
  }

  /**
   * The numbers of the planned batch that follows a finished one in the same slot, taken now so
   * that its trials are recorded in the same write as the finished batch's results (one activity
   * instead of two per batch), or null (adaptive proposals need the results first; nothing left
   * to dispatch; a pause or a target).
   */
  function takeFollowingBatch(finishing: number, reachedTarget: boolean): number[] | null {
    if (!current || !plan.params || reachedTarget || deterministicFailure !== null || !dispatching()) return null;
    const count = Math.min(batchSize, runLimit - next, config.budget.parallel - inFlight + finishing);
    if (count <= 0) return null;
    const numbers = Array.from({ length: count }, (_, i) => next + i);
    next += count;
    inFlight += count;
    return numbers;
  }

  /** Runs a batch in its own branch; `recorded` when its trials were written with the batch before it. */
  function startBatch(numbers: number[], recorded: boolean): void {
    const count = numbers.length;
    runBatch(numbers, recorded).then(
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

  async function runBatch(numbers: number[], recorded = false): Promise<void> {
    const trials = recorded ? planned(numbers) : await recordProposals(numbers);
    if (trials.length < numbers.length) exhausted = true; // a finite space has no unused point left
    if (trials.length === 0) return;
    const results = await evaluateTrials(trials);
    // A pruned trial's value is an intermediate one, not a result that reaches the target.
    const reachedTarget = results.some((r) => r.status !== 'pruned' && reachesTarget(config, r.value));
    const following = takeFollowingBatch(numbers.length, reachedTarget);
    try {
      if (following) await trialWrites.recordTrialResultsAndInsert({ studyId, direction, results, trials: planned(following) });
      else await trialWrites.recordTrialResults({ studyId, direction, results });
    } catch (err) {
      if (following) inFlight -= following.length;
      throw err;
    }
    if (following) startBatch(following, true);
    if (deterministicFailure !== null && fatal === null) fatal = new Error(deterministicFailure);
    if (reachedTarget) targetReached = true;
    for (const r of results) {
      if (r.status !== 'completed' || r.value === null || r.value === undefined || !Number.isFinite(r.value)) continue;
      if (best !== null && !better(r.value, best.value)) continue;
      best = { number: r.number, value: r.value };
      if (holdout.guarded) consultHoldout({ number: r.number, params: trials.find((t) => t.number === r.number)!.params, value: r.value });
    }
  }

  /** Queues a Thresholdout query for a new best trial; stops once the budget is spent. */
  function consultHoldout(trial: HoldoutTrial): void {
    guardPending++;
    guardChain = guardChain
      .then(async () => {
        if (thresholdoutDone) return;
        const out = await holdout.query(trial);
        if (out.refused || out.budgetRemaining <= 0) thresholdoutDone = true;
      })
      .then(
        () => {
          guardPending--;
        },
        (err) => {
          guardPending--;
          if (isCancellation(err) || fatal !== null) return;
          const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
          fatal = new Error(`thresholdout query for trial ${trial.number}: ${cause instanceof Error ? cause.message : String(cause)}`);
        },
      );
  }

  let evaluateContinues = false;
  let s3Continue: S3RunState | null = null;
  try {
    if (input.nextNumber === undefined) await db.markStudyRunning(studyId);
    if (config.kind === 's3') {
      // New in this version (kind s3 was refused before), so every s3 history has the current paths.
      if (!proposals) throw ApplicationFailure.nonRetryable('an s3 study needs the proposals queue path', 'InvalidStudyConfig');
      s3Continue = await runS3Phase(
        {
          studyId, config, computeQueue: input.computeQueue, proposals, writes: trialWrites, pauseGate,
          onProgress: (p) => {
            next = p.dispatched;
            finished = p.finished;
            s3Total = p.total;
          },
        },
        (input.s3 as S3RunState | undefined) ?? initialS3State(),
      );
      // Nothing for the trial loop below to dispatch; the s3 phases number their own trials.
      next = plan.total;
      gatePaused = await syncPausedRow(gatePaused);
    }
    if (config.kind === 'evaluate') {
      const outcome = await runEvaluateStudy({ studyId, config, computeQueue: input.computeQueue, writes: trialWrites, current, continued: input.nextNumber !== undefined, pauseGate });
      evaluateContinues = outcome === 'continue';
      next = plan.total;
      if (current) gatePaused = await syncPausedRow(gatePaused);
    }
    let recordedPaused: boolean | null = current ? (gatePaused ?? rowPausedAtStart) : false;
    // Reproducible BO: a whole batch of `parallel` proposals at once, after every earlier result.
    // (A new setting: runs recorded before it never have it, so their command order is unchanged.)
    const synchronous = config.kind === 'bayesopt' && config.bayesopt?.reproducible === true;
    const canDispatch = () => dispatching() && (synchronous ? inFlight === 0 : inFlight < config.budget.parallel);
    for (;;) {
      while (canDispatch()) {
        const count = synchronous ? Math.min(config.budget.parallel, runLimit - next) : Math.min(batchSize, runLimit - next, config.budget.parallel - inFlight);
        const numbers = Array.from({ length: count }, (_, i) => next + i);
        next += count;
        inFlight += count;
        startBatch(numbers, false);
      }
      const done = () => inFlight === 0 && guardPending === 0 && (next >= runLimit || targetReached || exhausted);
      if (done()) break;
      await condition(() => fatal !== null || paused !== recordedPaused || canDispatch() || done());
      if (fatal !== null) throw fatal;
      if (paused !== recordedPaused) {
        recordedPaused = paused;
        await db.setStudyPaused({ studyId, paused });
      }
    }
    if (fatal !== null) throw fatal;
    // A pause that arrived while the last batches of this run were in flight is written now, and
    // carried into the next run.
    if (current) recordedPaused = await syncPausedRow(recordedPaused);
    // The search is over (budget, target or exhaustion): final numbers from the holdout seeds.
    if (holdout.enabled && (next >= plan.total || targetReached || exhausted)) await holdout.finalNumbers();
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => db.finishStudy({ studyId, status: 'cancelled' }));
      throw err;
    }
    // The innermost cause says what went wrong ("Activity task failed" says nothing).
    let cause: unknown = err;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    await CancellationScope.nonCancellable(() => db.finishStudy({ studyId, status: 'failed', error: message }));
    throw ApplicationFailure.nonRetryable(`study ${studyId} (${workflowInfo().workflowId}) failed: ${message}`);
  }
  if (s3Continue) return continueAsNew<typeof studyWorkflow>({ ...input, config, nextNumber: 0, s3: s3Continue, paused });
  if (evaluateContinues) {
    // The race goes on in a fresh run, rebuilt from its recorded blocks (evaluate-study.ts).
    return continueAsNew<typeof studyWorkflow>({ ...input, config, nextNumber: 0, paused });
  }
  if (next < plan.total && !targetReached && !exhausted) {
    return continueAsNew<typeof studyWorkflow>({ ...input, config, nextNumber: next, completedBefore: finished, search: { best, thresholdoutDone }, paused });
  }
  await db.finishStudy({ studyId, status: 'completed' });
  return { status: 'completed' };
}
