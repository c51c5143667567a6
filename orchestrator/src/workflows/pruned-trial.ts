import {
  ActivityCancellationType, CancellationScope, condition, defineSignal, isCancellation, proxyActivities, setHandler,
} from '@temporalio/workflow';
import {
  DEFAULT_COMPUTE_QUEUE, INTERMEDIATE_VALUES_SIGNAL,
  type CommandTrialOutcome, type ComputeActivities, type CurvePoint, type IntermediateValuesSignal, type NewTrial, type TCommandObjective, type TPrunerConfig, type TrialResult,
} from '@stepwise/core';
import type { DbActivities } from '../activities/db-activities';
import type { RecordIntermediateOutcome } from '../activities/pruning';

/**
 * Command trials of a study with a pruner (issue #14, item 6). The compute activity sends the
 * program's per-step values here as signals (it has no database); each batch is recorded by a
 * DB activity that upserts (trial, step) and answers with the pruner's decision from the stored
 * curves. "Prune" cancels the trial's own CancellationScope: Temporal delivers the cancel through
 * the activity's heartbeat, the activity kills the program, and the trial is recorded `pruned`
 * with its last intermediate value. Only studies with a pruner come here (a config field that
 * runs recorded before it never have), so no other history's command order changes.
 *
 * Durability: points are recorded before the trial's result (the activity awaits its signals
 * before completing, and this branch drains them before returning), and the study continues as
 * new only with no trial in flight, so neither continue-as-new nor a compute-worker crash loses
 * a point; a retried activity reports from step 0 again and the upserts keep one value per step.
 */

/**
 * Signals of one trial are batched by the activity to at most one per this period (times the
 * number of trials in flight over 4, so a wide study signals no more often in total), growing
 * with the run's age (workers/src/command/intermediate.ts): each batch costs the history about
 * ten events (signal, workflow tasks, the recording activity), some 30 batches per tenfold of a
 * run's duration.
 */
const REPORT_EVERY_MS = 1000;
/** Points per recording activity (a signal carries at most 500). */
const MAX_POINTS_PER_RECORD = 1000;

const retry = { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 };

export interface PrunedTrialsContext {
  studyId: string;
  direction: 'minimize' | 'maximize';
  pruner: TPrunerConfig;
  seed: number;
  /** Trials in flight at once (budget.parallel). */
  parallel: number;
  computeQueue?: string;
}

interface InFlight {
  queue: CurvePoint[];
}

export function createPrunedCommandTrials(ctx: PrunedTrialsContext) {
  const { studyId, direction, pruner } = ctx;
  // Like computeActivities(), with two differences: the heartbeat timeout is short, because a
  // prune decision reaches the activity only on a heartbeat (throttled to 80% of the timeout), and
  // cancellation waits for the activity to confirm the program is gone before the trial is recorded.
  const compute = proxyActivities<ComputeActivities>({
    taskQueue: ctx.computeQueue ?? DEFAULT_COMPUTE_QUEUE,
    startToCloseTimeout: '30m',
    heartbeatTimeout: '8s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: 10 },
  });
  const db = proxyActivities<DbActivities>({ startToCloseTimeout: '10s', retry });

  const inFlight = new Map<number, InFlight>();
  // Points of a trial not in flight here (finished, or another run's) are dropped: a finished
  // trial's points all arrived before its result.
  setHandler(defineSignal<[IntermediateValuesSignal]>(INTERMEDIATE_VALUES_SIGNAL), (s) => {
    const trial = typeof s?.number === 'number' ? inFlight.get(s.number) : undefined;
    if (!trial || !Array.isArray(s.points)) return;
    for (const p of s.points) {
      if (p && Number.isSafeInteger(p.step) && p.step >= 0 && typeof p.value === 'number' && Number.isFinite(p.value)) trial.queue.push({ step: p.step, value: p.value });
    }
  });

  return async function runPrunedCommandTrial(trial: NewTrial, objective: TCommandObjective): Promise<TrialResult> {
    const state: InFlight = { queue: [] };
    inFlight.set(trial.number, state);
    const scope = new CancellationScope();
    const run: { settled: boolean; outcome: CommandTrialOutcome | null; failure: unknown } = { settled: false, outcome: null, failure: null };
    let last: CurvePoint | null = null;
    let pruneReason: string | null = null;
    // Points of the batch that was pruned and of every later one: not stored (the curve ends
    // where the pruner stopped the run, and other runs are never compared with what came after),
    // unless the run finishes before the cancel reaches it, when its whole curve is recorded.
    const held: CurvePoint[] = [];
    scope
      .run(() => compute.runCommandTrial({
        program: objective.program, params: trial.params, metric: objective.metric, trialNumber: trial.number, seed: ctx.seed,
        reportIntermediate: { everyMs: REPORT_EVERY_MS * Math.max(1, ctx.parallel / 4) },
      }))
      .then(
        (out) => {
          run.outcome = out;
          run.settled = true;
        },
        (err) => {
          run.failure = err;
          run.settled = true;
        },
      );
    try {
      for (;;) {
        await condition(() => state.queue.length > 0 || run.settled);
        if (state.queue.length === 0) break;
        const points = state.queue.splice(0, MAX_POINTS_PER_RECORD);
        if (pruneReason !== null) {
          held.push(...points);
          continue;
        }
        const judged: RecordIntermediateOutcome = await db.recordIntermediateValues({ studyId, number: trial.number, points, direction, pruner, judge: true });
        if (judged.last) last = judged.last;
        if (judged.prune) {
          pruneReason = judged.reason ?? 'pruned';
          held.push(...points);
          scope.cancel();
        }
      }
    } finally {
      inFlight.delete(trial.number);
    }
    if (run.outcome !== null) {
      // Finished before the cancel reached it (or never told to stop): its own result stands.
      const out = run.outcome;
      for (let i = 0; i < held.length; i += MAX_POINTS_PER_RECORD) {
        await db.recordIntermediateValues({ studyId, number: trial.number, points: held.slice(i, i + MAX_POINTS_PER_RECORD), direction, pruner, judge: false });
      }
      return { number: trial.number, status: out.status, value: out.value, error: out.error ?? null, worker: out.worker, attempt: out.attempt, seconds: out.seconds };
    }
    if (pruneReason !== null) {
      // Cancelled by us (or, once cancelled, timed out on a dead worker: a cancel-requested
      // activity is not retried), so the program is gone. The study's own cancellation still wins.
      if (isCancellation(run.failure) && CancellationScope.current().consideredCancelled) throw run.failure;
      return {
        number: trial.number, status: 'pruned', value: last?.value ?? null,
        error: `pruned at step ${last?.step ?? '?'}: ${pruneReason}`,
      };
    }
    throw run.failure;
  };
}
