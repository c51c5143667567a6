import { isCancellation } from '@temporalio/workflow';
import {
  mergeAllStats, s3Arms, s3EndTime, s3HoldoutSeed, s3TrialObjective, samplesPerUnit, tInterval, type NoiseScheduleName, type S3Arm,
  type NewTrial, type RunningStats, type TSamplerObjective, type TStudyConfig, type TrialResult,
} from '@stepwise/core';
import type { ProposalActivities } from '../activities/proposal-activities';
import { computeActivities, deterministicComputeFailure } from './compute';
import type { TrialWrites } from './trial-writes';

/**
 * The `s3` study (USF/S^3 solver-schedule search), as phases of one study workflow:
 *
 *   baselines  every tuned preset baseline of every NFE group, on the search seeds;
 *   search     stages: per group, the proposals worker evolves a population from everything
 *              evaluated so far, screens it with the predictor and records the predicted best;
 *              the compute workers evaluate them for real on the same seeds (common random
 *              numbers); repeated until each group has spent its evaluations;
 *   select     the best searched schedules and the best baselines per group, re-evaluated on the
 *              selection seeds (a superset of the search seeds);
 *   certify    the chosen baseline and searched schedule per group on fresh holdout seeds (another
 *              seed stream), then the paired report.
 *
 * Groups run concurrently (each its own branch: proposal, then evaluations), sharing `parallel`
 * compute slots; every command a branch issues follows an activity completion, a history event,
 * so the order is a function of the history. Trial numbers are allocated before the branches
 * start. Every proposal and every evaluation block is recorded before the next is requested, and
 * the workflow continues as new after each phase and each search stage, carrying only counters:
 * a crash resumes at the last recorded evaluation and repeats none (the proposal activities are
 * idempotent by trial number). See docs/architecture.md, "The S^3 study".
 */

export interface S3RunState {
  phase: 'describe' | 'baselines' | 'search' | 'select' | 'certify';
  /** Next search stage. */
  stage: number;
  /** Next trial number. */
  next: number;
  finished: number;
  model: { noiseSchedule: string; dim: number } | null;
  /** Per NFE group (keyed by String(nfe)): search evaluations so far, and the best search-seed value. */
  evaluations: Record<string, number>;
  best: Record<string, { value: number; trial: number } | null>;
}

export interface S3Context {
  studyId: string;
  config: TStudyConfig;
  computeQueue?: string;
  proposals: ProposalActivities;
  writes: TrialWrites;
  pauseGate: () => Promise<void>;
  /** Told of every dispatched and finished evaluation (the progress query). */
  onProgress: (p: { dispatched: number; finished: number; total: number }) => void;
}

/** Baselines per group re-evaluated on the selection seeds (the best few by their search-seed value). */
const BASELINE_FINALISTS = 8;

export function initialS3State(): S3RunState {
  return { phase: 'describe', stage: 0, next: 0, finished: 0, model: null, evaluations: {}, best: {} };
}

/** Runs one phase (or one search stage); returns the state to continue as new with, or null when done. */
export async function runS3Phase(ctx: S3Context, state: S3RunState): Promise<S3RunState | null> {
  const { studyId, config, proposals, writes } = ctx;
  const s3 = config.s3!;
  const objective = config.objective as TSamplerObjective;
  const groups = s3.nfe;
  const perGroup = Math.max(1, Math.floor(config.budget.trials / groups.length));
  const compute = computeActivities(ctx.computeQueue);
  const direction = objective.direction;
  let { next, finished } = state;
  let dispatched = next;
  let total = next;
  const progress = () => ctx.onProgress({ dispatched, finished, total: Math.max(total, dispatched) });

  // Compute slots shared by the group branches (resolved in history order: deterministic).
  let free = config.budget.parallel;
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const w = waiting.shift();
    if (w) w();
    else free++;
  };
  let fatal: string | null = null;

  /** Evaluates one trial on samples 0..samples-1 of `seed`, block by block, and records its result. */
  async function evaluate(trial: NewTrial, seed: number, samples: number): Promise<TrialResult> {
    await ctx.pauseGate();
    await acquire();
    dispatched++;
    progress();
    try {
      // The study's one end time, explicit, so the worker scores every schedule there; a preset
      // baseline (dpm-solver-v3, dc-solver) names its solver instead of a schedule (same commands).
      const obj = s3TrialObjective(objective, trial.params, s3EndTime(config, state.model!.noiseSchedule as NoiseScheduleName));
      const unit = samplesPerUnit(obj);
      const blockSamples = Math.max(unit, Math.floor(s3.searchSamples / unit) * unit);
      const stats: RunningStats[] = [];
      let nfe: number | null = null;
      let worker: string | null = null;
      let seconds = 0;
      for (let start = 0, index = 0; start < samples; start += blockSamples, index++) {
        const end = Math.min(samples, start + blockSamples);
        const certify = trial.params.role === 'select' || trial.params.role === 'holdout';
        const out = await compute.evaluateSamplerBlock({ objective: obj, seed, start, end, returnValues: true, ...(certify ? {} : { wrongComponent: false }) });
        await writes.recordTrialBlock({ studyId, number: trial.number, block: { blockIndex: index, seedStart: start, seedEnd: end, stats: out.stats, values: out.values ?? null }, quiet: true });
        stats.push(out.stats);
        nfe = out.nfe;
        worker = out.worker;
        seconds += out.seconds;
      }
      const merged = mergeAllStats(stats);
      const e = merged.n >= 2 ? tInterval(merged, 0.95) : null;
      const result: TrialResult = {
        number: trial.number, status: 'completed', value: merged.mean, stderr: e?.stderr ?? null, ciLow: e?.ciLow ?? null, ciHigh: e?.ciHigh ?? null,
        n: merged.n * unit, costSamples: merged.n * unit, costNfe: nfe, worker, seconds,
      };
      await writes.recordTrialResults({ studyId, direction, results: [result] });
      return result;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const deterministic = deterministicComputeFailure(err);
      if (deterministic !== null) fatal ??= deterministic;
      const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      const result: TrialResult = { number: trial.number, status: 'failed', value: null, error: message };
      await writes.recordTrialResults({ studyId, direction, results: [result] });
      return result;
    } finally {
      finished++;
      progress();
      release();
    }
  }

  const evaluateAll = (trials: NewTrial[], seed: number, samples: number) => Promise.all(trials.map((t) => evaluate(t, seed, samples)));
  const throwIfFatal = () => {
    if (fatal !== null) throw new Error(fatal);
  };
  const group = (nfe: number, arm: S3Arm = 'predictor') => ({ studyId, nfe, noiseSchedule: state.model!.noiseSchedule, ...(arm === 'off' ? { arm } : {}) });
  // Search units: every NFE group, twice with `ablation` (the second arm without the predictor).
  const arms = s3Arms(s3);
  const units = groups.flatMap((nfe) => arms.map((arm) => ({ nfe, arm, key: arm === 'predictor' ? String(nfe) : `${nfe}:${arm}` })));
  const after = (patch: Partial<S3RunState>): S3RunState => ({ ...state, next, finished, ...patch });

  switch (state.phase) {
    case 'describe': {
      // The model's noise schedule and dimension come from a worker that opened it, not from guesses.
      const describe = computeActivities(ctx.computeQueue, { startToCloseTimeout: '2m', maximumAttempts: 5, heartbeat: false });
      const d = await describe.describeModel({ model: objective.model });
      return after({ phase: 'baselines', model: { noiseSchedule: d.noiseSchedule, dim: d.dim } });
    }

    case 'baselines': {
      // Listing the baselines is quick; one group after another keeps their numbers contiguous.
      const lists: NewTrial[][] = [];
      await ctx.pauseGate();
      for (const nfe of groups) {
        const trials = await proposals.proposeS3Baselines({ ...group(nfe), firstNumber: next });
        next += trials.length;
        lists.push(trials);
      }
      total = next + perGroup * units.length + groups.length * (BASELINE_FINALISTS + 1) + units.length * (s3.finalists + 1);
      await proposals.setS3Plan({ studyId, trialsTotal: total, model: state.model });
      progress();
      const results = await Promise.all(lists.map((l) => evaluateAll(l, config.seed, s3.searchSamples)));
      throwIfFatal();
      const best: S3RunState['best'] = {};
      for (const u of units) best[u.key] = bestOf(results[groups.indexOf(u.nfe)], direction, null);
      for (const nfe of groups) {
        // Stage -1: the best tuned baseline on the search seeds, the line the search must beat.
        await proposals.recordS3Stage({ studyId, entry: { stage: -1, nfe, evaluations: 0, best: best[String(nfe)]?.value ?? null, bestTrial: best[String(nfe)]?.trial ?? null, predictor: null } });
      }
      return after({ phase: 'search', best, evaluations: Object.fromEntries(units.map((u) => [u.key, 0])) });
    }

    case 'search': {
      const active = units.filter((u) => (state.evaluations[u.key] ?? 0) < perGroup);
      if (active.length === 0) return after({ phase: 'select' });
      // Numbers for every active unit, allocated before any branch starts.
      const plans = active.map((u) => {
        const count = Math.min(s3.stageSize, perGroup - (state.evaluations[u.key] ?? 0));
        const numbers = Array.from({ length: count }, (_, i) => next + i);
        next += count;
        return { ...u, numbers };
      });
      total = Math.max(total, next);
      // A pause holds before a stage's proposals too: nothing new is recorded while paused.
      await ctx.pauseGate();
      const outcomes = await Promise.all(plans.map(async ({ nfe, arm, key, numbers }) => {
        const { trials, predictor } = await proposals.proposeS3Stage({ ...group(nfe, arm), stage: state.stage, numbers });
        const results = await evaluateAll(trials, config.seed, s3.searchSamples);
        const best = bestOf(results, direction, state.best[key] ?? null);
        await proposals.recordS3Stage({ studyId, entry: { stage: state.stage, nfe, ...(arm === 'off' ? { arm } : {}), evaluations: (state.evaluations[key] ?? 0) + numbers.length, best: best?.value ?? null, bestTrial: best?.trial ?? null, predictor } });
        return { key, count: numbers.length, best };
      }));
      throwIfFatal();
      const evaluations = { ...state.evaluations };
      const best = { ...state.best };
      for (const o of outcomes) {
        evaluations[o.key] = (evaluations[o.key] ?? 0) + o.count;
        best[o.key] = o.best;
      }
      return after({ stage: state.stage + 1, evaluations, best });
    }

    case 'select': {
      const lists: NewTrial[][] = [];
      await ctx.pauseGate();
      for (const u of units) {
        // The baselines' finalists come once, with the predictor's arm; both arms are compared with them.
        const trials = await proposals.proposeS3Finalists({ ...group(u.nfe, u.arm), firstNumber: next, baselines: u.arm === 'predictor' ? BASELINE_FINALISTS : 0 });
        next += trials.length;
        lists.push(trials);
      }
      await Promise.all(lists.map((l) => evaluateAll(l, config.seed, s3.selectionSamples)));
      throwIfFatal();
      return after({ phase: 'certify' });
    }

    case 'certify': {
      const lists: NewTrial[][] = [];
      await ctx.pauseGate();
      for (const u of units) {
        const trials = await proposals.proposeS3Certification({ ...group(u.nfe, u.arm), firstNumber: next });
        next += trials.length;
        lists.push(trials);
      }
      await Promise.all(lists.map((l) => evaluateAll(l, s3HoldoutSeed(config.seed), s3.holdoutSamples)));
      throwIfFatal();
      await proposals.s3Report({ studyId, groups });
      return null;
    }
  }
}

function bestOf(results: TrialResult[], direction: 'minimize' | 'maximize', prev: { value: number; trial: number } | null) {
  let best = prev;
  for (const r of results) {
    if (r.status !== 'completed' || r.value === null || r.value === undefined || !Number.isFinite(r.value)) continue;
    if (best === null || (direction === 'minimize' ? r.value < best.value : r.value > best.value)) best = { value: r.value, trial: r.number };
  }
  return best;
}
