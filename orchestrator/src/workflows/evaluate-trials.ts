import { isCancellation } from '@temporalio/workflow';
import {
  decide, isMoFunctionName, isMultiObjective, mergeAllStats, moFunctionOutputs, objectiveNfe, paramsToVector, resolveSamplerObjective, samplesPerUnit, stoppingPolicy,
  studyObjectives, type CommandTrialOutcome, type RunningStats, type TSpace, type TStudyConfig, type TSamplerObjective,
} from '@stepwise/core';
import type { NewTrial, TrialResult } from '@stepwise/core';
import { computeActivities, deterministicComputeFailure } from './compute';
import type { TrialWrites } from './trial-writes';
import { createPrunedCommandTrials } from './pruned-trial';

/**
 * How each objective kind turns recorded trials into results (workflow code: deterministic, no
 * I/O beyond activities). Function trials go in batches; sampler trials are adaptive Monte Carlo
 * estimates built from seed blocks, each block recorded before the next is requested; command
 * trials run one external program each.
 */

export interface EvaluationContext {
  studyId: string;
  config: TStudyConfig;
  space: TSpace;
  computeQueue?: string;
  /** The run's trial writes (see trial-writes.ts). */
  writes: TrialWrites;
  /**
   * Told of a compute failure that every worker would repeat (broken model, refused input, a
   * cap): the trial is still returned as failed with the reason, and the caller ends the study.
   */
  onDeterministicFailure?: (reason: string) => void;
}

function failureMessage(err: unknown): string {
  if (err instanceof Error) return err.cause instanceof Error ? err.cause.message : err.message;
  return String(err);
}

export function createTrialEvaluator(ctx: EvaluationContext) {
  /** Cancellation propagates; a deterministic failure is reported (and still fails the trial). */
  function classify(err: unknown): void {
    if (isCancellation(err)) throw err;
    const deterministic = deterministicComputeFailure(err);
    if (deterministic !== null) ctx.onDeterministicFailure?.(deterministic);
  }

  const compute = computeActivities(ctx.computeQueue);
  const { studyId, config, writes } = ctx;
  // Multi-objective studies: results carry every objective's value (`values`); others are unchanged.
  const objectives = isMultiObjective(config) ? studyObjectives(config) : null;

  /**
   * A multi-output function's values come in its output order (f1, f2); the study lists its
   * objectives in any order, and its values (and `value`, the first objective's) follow that list.
   */
  function inObjectiveOrder(fn: string, values: number[] | undefined): Pick<TrialResult, 'value' | 'values'> | object {
    if (!objectives || !values || !isMoFunctionName(fn)) return {};
    const names = moFunctionOutputs(fn);
    const ordered = objectives.map((o) => values[names.indexOf(o.metric)]);
    return { value: ordered[0], values: ordered };
  }

  /** A command trial's result: with several objectives, each one's metric from the program's JSON. */
  function commandResult(number: number, out: CommandTrialOutcome): TrialResult {
    const result: TrialResult = { number, status: out.status, value: out.value, error: out.error ?? null, worker: out.worker, attempt: out.attempt, seconds: out.seconds };
    if (!objectives || out.status !== 'completed') return result;
    const values = objectives.map((o) => out.metrics[o.metric]);
    const missing = objectives.findIndex((_, k) => typeof values[k] !== 'number' || !Number.isFinite(values[k]));
    if (missing >= 0) {
      const metric = objectives[missing].metric;
      return { ...result, status: 'failed', value: null, error: `the program's last JSON line has no finite "${metric}" (objectives.${missing}.metric); print every objective's metric there` };
    }
    return { ...result, value: values[0], values };
  }

  async function samplerTrial(trial: NewTrial, base: TSamplerObjective): Promise<TrialResult> {
    let objective: TSamplerObjective;
    try {
      objective = resolveSamplerObjective(base, trial.params);
    } catch (err) {
      return { number: trial.number, status: 'failed', value: null, error: `params: ${failureMessage(err)}` };
    }
    const policy = stoppingPolicy(objective.estimation, objective.metric);
    const unit = samplesPerUnit(objective);
    // Resume from whatever blocks are already recorded (a crash, a retried workflow task).
    let blocks = await writes.trialBlocks({ studyId, number: trial.number });
    let merged: RunningStats = mergeAllStats(blocks.map((b) => b.stats as RunningStats));
    let nfe: number | null = null;
    let worker: string | null = null;
    let seconds = 0;
    for (;;) {
      const decision = decide(policy, merged);
      if (decision.stop) {
        const e = decision.estimate!;
        return {
          number: trial.number, status: 'completed', value: e.mean, stderr: e.stderr, ciLow: e.ciLow, ciHigh: e.ciHigh, n: e.n * unit,
          costSamples: e.n * unit, costNfe: nfe, worker, seconds,
          // Sampler objectives are [quality, nfe]: the NFE is the trial's schedule's, known without a block.
          ...(objectives ? { values: [e.mean, objectiveNfe(objective)] } : {}),
        };
      }
      const seedStart = blocks.length ? blocks[blocks.length - 1].seedEnd : 0;
      const seedEnd = seedStart + decision.nextBlock * unit;
      // Per-seed values are stored with the block (paired comparisons across trials); a history
      // recorded before this has results without them and records the block as it did.
      const out = await compute.evaluateSamplerBlock({ objective, seed: config.seed, start: seedStart, end: seedEnd, returnValues: true });
      blocks = await writes.recordTrialBlock({
        studyId, number: trial.number, block: { blockIndex: blocks.length, seedStart, seedEnd, stats: out.stats, ...(out.values ? { values: out.values } : {}) },
      });
      merged = mergeAllStats(blocks.map((b) => b.stats as RunningStats));
      nfe = out.nfe;
      worker = out.worker;
      seconds += out.seconds;
    }
  }

  const prunedCommandTrial = config.pruner && config.objective.type === 'command'
    ? createPrunedCommandTrials({ studyId, direction: config.objective.direction, pruner: config.pruner, seed: config.seed, parallel: config.budget.parallel, computeQueue: ctx.computeQueue })
    : null;

  return async function evaluateTrials(trials: NewTrial[]): Promise<TrialResult[]> {
    const objective = config.objective;
    const guard = async (trial: NewTrial, run: () => Promise<TrialResult>): Promise<TrialResult> => {
      try {
        return await run();
      } catch (err) {
        classify(err);
        return { number: trial.number, status: 'failed', value: null, error: failureMessage(err) };
      }
    };
    // Studies with a pruner (a field no earlier history has): per-step values and early stops.
    if (objective.type === 'command' && prunedCommandTrial) return Promise.all(trials.map((t) => guard(t, () => prunedCommandTrial(t, objective))));
    switch (objective.type) {
      case 'function':
        try {
          const outcome = await compute.evaluateFunctionBatch({
            function: objective.function,
            noiseStd: objective.noiseStd,
            seed: config.seed,
            points: trials.map((t) => ({ number: t.number, x: paramsToVector(ctx.space, t.params) })),
          });
          return outcome.results.map((r) => ({ ...r, ...inObjectiveOrder(objective.function, r.values), worker: outcome.worker, attempt: outcome.attempt }));
        } catch (err) {
          classify(err);
          // The objective itself failed after all retries: the trials fail, the study goes on.
          return trials.map((t) => ({ number: t.number, status: 'failed' as const, value: null, error: failureMessage(err) }));
        }
      case 'sampler':
        return Promise.all(trials.map((t) => guard(t, () => samplerTrial(t, objective))));
      case 'command':
        return Promise.all(
          trials.map((t) =>
            guard(t, async () => {
              const out = await compute.runCommandTrial({ program: objective.program, params: t.params, metric: objective.metric, trialNumber: t.number, seed: config.seed });
              return commandResult(t.number, out);
            }),
          ),
        );
    }
  };
}
