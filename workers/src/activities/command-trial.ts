import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  INTERMEDIATE_VALUES_SIGNAL, NON_RETRYABLE_COMPUTE_ERRORS, type CommandTrialInput, type CommandTrialOutcome, type IntermediateValuesSignal,
} from '@stepwise/core';
import { COMMANDS_FILE_ENV, type CommandAllowlist } from '../command/allowlist';
import { IntermediateReporter, parseIntermediateLine } from '../command/intermediate';
import { runProgram } from '../command/run-program';

export interface RunCommandTrialDeps {
  allowlist: CommandAllowlist;
  identity: string;
  /** Heartbeat period cap (default 5 s; also at most a third of the activity's heartbeat timeout). */
  heartbeatMs?: number;
}

/**
 * The `runCommandTrial` activity: runs an allowlisted program for one trial. Only the program NAME
 * comes from the study; an unknown name is a non-retryable failure (no retry can fix it). A program
 * that fails, times out or prints bad output is a normal 'failed' outcome: the trial failed, not
 * the activity. Temporal cancellation (delivered through heartbeats) kills the program.
 */
export function createRunCommandTrial(deps: RunCommandTrialDeps): (input: CommandTrialInput) => Promise<CommandTrialOutcome> {
  const { allowlist, identity } = deps;
  return async function runCommandTrial(input: CommandTrialInput): Promise<CommandTrialOutcome> {
    const ctx = Context.current();
    const program = typeof input.program === 'string' ? allowlist.programs.get(input.program) : undefined;
    if (!program) {
      const known = [...allowlist.programs.keys()];
      throw ApplicationFailure.nonRetryable(
        `program ${JSON.stringify(String(input.program))} is not in this worker's allowlist (${COMMANDS_FILE_ENV}=${allowlist.file ?? '(not set)'}); add it there` +
          (known.length ? ` (allowed here: ${known.join(', ')})` : ' (no programs are allowed here)'),
        NON_RETRYABLE_COMPUTE_ERRORS.input,
      );
    }
    if (!Number.isSafeInteger(input.trialNumber) || !Number.isSafeInteger(input.seed)) {
      throw ApplicationFailure.nonRetryable(`trialNumber and seed must be integers (got ${input.trialNumber}, ${input.seed})`, NON_RETRYABLE_COMPUTE_ERRORS.input);
    }
    if (typeof input.params !== 'object' || input.params === null || Array.isArray(input.params)) {
      throw ApplicationFailure.nonRetryable('params must be a JSON object', NON_RETRYABLE_COMPUTE_ERRORS.input);
    }
    if (typeof input.metric !== 'string' || input.metric === '') {
      throw ApplicationFailure.nonRetryable('metric must be a non-empty string', NON_RETRYABLE_COMPUTE_ERRORS.input);
    }

    // Studies with a pruner: per-step values go to the study workflow as signals (this worker has
    // no database). Awaited before the result is returned, so every signal precedes the
    // activity's completion in the workflow's history.
    const reporter = input.reportIntermediate ? intermediateReporter(ctx, input.trialNumber, input.reportIntermediate.everyMs) : null;
    const started = Date.now();
    let lastLine = '';
    const beat = () => ctx.heartbeat({ program: program.name, trial: input.trialNumber, seconds: Math.round((Date.now() - started) / 1000), lastLine });
    beat();
    const hbTimeout = ctx.info.heartbeatTimeoutMs;
    const period = Math.max(250, Math.min(deps.heartbeatMs ?? 5000, hbTimeout ? hbTimeout / 3 : Infinity));
    const timer = setInterval(beat, period);
    let result;
    try {
      result = await runProgram({
        program,
        params: input.params,
        metric: input.metric,
        trialNumber: input.trialNumber,
        seed: input.seed,
        signal: ctx.cancellationSignal,
        onLine: (line) => {
          lastLine = line.length > 200 ? `${line.slice(0, 200)}...` : line;
          const point = reporter ? parseIntermediateLine(line, input.metric) : null;
          if (point) reporter!.add(point);
        },
      });
    } finally {
      clearInterval(timer);
    }
    if (result.cancelled || ctx.cancellationSignal.aborted) {
      // Pruned or the study was cancelled: whatever the program printed after that is not wanted.
      reporter?.discard();
      // Cancellation ends the activity, not the trial: rethrow what Temporal gave us.
      const reason: unknown = ctx.cancellationSignal.reason;
      throw reason instanceof Error ? reason : new CancelledFailure(typeof reason === 'string' ? reason : 'CANCELLED');
    }
    await reporter?.close();
    return {
      worker: identity,
      attempt: ctx.info.attempt,
      status: result.status,
      value: result.value,
      metrics: result.metrics,
      error: result.error,
      seconds: result.seconds,
    };
  };
}

/**
 * Sends a trial's intermediate values to the workflow that scheduled this activity (its id from
 * the activity info; no run id, so a signal always reaches the study's current run, which drops
 * points of trials it has not in flight).
 */
function intermediateReporter(ctx: Context, trialNumber: number, everyMs: number): IntermediateReporter {
  const workflowId = ctx.info.workflowExecution?.workflowId;
  if (!workflowId) throw ApplicationFailure.nonRetryable('reportIntermediate needs an activity started by a workflow', NON_RETRYABLE_COMPUTE_ERRORS.input);
  const handle = ctx.client.workflow.getHandle(workflowId);
  const attempt = ctx.info.attempt;
  return new IntermediateReporter({
    everyMs: Math.max(100, everyMs),
    send: (points) => handle.signal<[IntermediateValuesSignal]>(INTERMEDIATE_VALUES_SIGNAL, { number: trialNumber, attempt, points }),
  });
}
