import { z } from 'zod';

/**
 * Pruning of training runs (issue #14, item 6; the pure decision part only): a trial reports
 * intermediate values (`step`, value) as it runs; a pruner decides from them and the other
 * trials' curves whether it should stop. Nothing here cancels anything: the caller (a workflow)
 * asks `shouldPrune` after each report and cancels the trial's activity when told to.
 *
 * - median (Optuna's MedianPruner): at step s, prune when the trial's best value so far is worse
 *   than the median of the values other finished trials reported at step s.
 * - asha (asynchronous successive halving, Li et al. 2020; Optuna's SuccessiveHalvingPruner):
 *   rungs at minResource * eta^k steps; a trial that reaches a rung continues only if its value
 *   there is within the best 1/eta of the values every trial reached that rung with.
 * - hyperband: several ASHA brackets with minimum resources minResource * eta^b; trial n runs in
 *   bracket n mod (number of brackets) and competes only within it. No rung at maxResource (as
 *   Ray Tune's max_t): a run that got there has spent its budget, so stopping it would save
 *   nothing and only throw its result away; the widest bracket therefore never prunes.
 */

export const ZPrunerConfig = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('median'),
    /** Steps before which nothing is pruned. */
    warmupSteps: z.number().int().min(0).default(0),
    /** Finished trials with a value at the step needed before pruning there. */
    minTrials: z.number().int().min(1).default(5),
  }),
  z.strictObject({
    type: z.literal('asha'),
    minResource: z.number().int().min(1).default(1),
    reductionFactor: z.number().int().min(2).default(3),
  }),
  z.strictObject({
    type: z.literal('hyperband'),
    minResource: z.number().int().min(1).default(1),
    maxResource: z.number().int().min(1),
    reductionFactor: z.number().int().min(2).default(3),
  }).superRefine((c, ctx) => {
    if (c.maxResource < c.minResource) ctx.addIssue({ code: 'custom', path: ['maxResource'], message: `maxResource (${c.maxResource}) must be at least minResource (${c.minResource})` });
  }),
]);
export type TPrunerConfig = z.infer<typeof ZPrunerConfig>;

export interface CurvePoint {
  step: number;
  value: number;
}

export interface PrunableTrial {
  number: number;
  /** Intermediate values in the order reported (steps ascending). */
  curve: readonly CurvePoint[];
  status: 'running' | 'completed' | 'pruned' | 'failed';
}

export interface PruneDecision {
  prune: boolean;
  /** Why, for the trial's record and the dashboard. */
  reason: string;
}

type Direction = 'minimize' | 'maximize';
const better = (dir: Direction, a: number, b: number) => (dir === 'minimize' ? a < b : a > b);

/** The trial's value at exactly `step`, or undefined. */
function valueAt(curve: readonly CurvePoint[], step: number): number | undefined {
  for (let i = curve.length - 1; i >= 0; i--) if (curve[i].step === step && Number.isFinite(curve[i].value)) return curve[i].value;
  return undefined;
}

/** The value at the first reported step >= `step` (the trial's value when it reached that resource). */
function valueReaching(curve: readonly CurvePoint[], step: number): number | undefined {
  for (const p of curve) if (p.step >= step && Number.isFinite(p.value)) return p.value;
  return undefined;
}

function median(sorted: number[]): number {
  const m = sorted.length;
  return m % 2 ? sorted[(m - 1) / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
}

/** Rung k of a bracket: the resource minResource * eta^(k + bracket offset), up to `upTo` and below `cap`. */
function rungs(minResource: number, eta: number, upTo: number, cap = Infinity): number[] {
  const out: number[] = [];
  for (let r = minResource; r <= upTo && r < cap; r *= eta) out.push(r);
  return out;
}

function ashaDecision(trial: PrunableTrial, others: readonly PrunableTrial[], direction: Direction, minResource: number, eta: number, label: string, cap = Infinity): PruneDecision {
  const last = trial.curve.at(-1);
  if (!last) return { prune: false, reason: 'no intermediate value yet' };
  if (minResource >= cap) return { prune: false, reason: `${label}: no rung below maxResource (${cap} steps); this bracket runs every trial to the end` };
  // The highest rung the trial has reached: it is judged there, once, when it first gets there.
  const reached = rungs(minResource, eta, last.step, cap);
  if (reached.length === 0) return { prune: false, reason: `${label}: below the first rung (${minResource} steps)` };
  const rung = reached[reached.length - 1];
  const previous = trial.curve.length > 1 ? trial.curve[trial.curve.length - 2].step : -Infinity;
  if (previous >= rung) return { prune: false, reason: `${label}: promoted past rung ${rung} earlier` };
  const mine = valueReaching(trial.curve, rung)!;
  const competing = [mine];
  for (const o of others) {
    if (o.number === trial.number || o.status === 'failed') continue;
    const v = valueReaching(o.curve, rung);
    if (v !== undefined) competing.push(v);
  }
  competing.sort((a, b) => (direction === 'minimize' ? a - b : b - a));
  const keep = Math.max(1, Math.floor(competing.length / eta));
  const threshold = competing[keep - 1];
  const promoted = !better(direction, threshold, mine);
  return {
    prune: !promoted,
    reason: `${label}: at rung ${rung} value ${mine} is ${promoted ? 'within' : 'outside'} the best ${keep} of ${competing.length} (threshold ${threshold})`,
  };
}

/** Number of Hyperband brackets for the resources: floor(log_eta(max / min)) + 1. */
export function hyperbandBrackets(minResource: number, maxResource: number, eta: number): number {
  let n = 1;
  for (let r = minResource * eta; r <= maxResource; r *= eta) n++;
  return n;
}

/**
 * Whether `trial` should stop now, given the curves of the study's other trials. Deterministic in
 * its inputs; a trial with no intermediate value, or a non-finite latest value, is not pruned
 * (a failing program fails on its own).
 */
export function shouldPrune(config: TPrunerConfig, direction: Direction, trial: PrunableTrial, others: readonly PrunableTrial[]): PruneDecision {
  const last = trial.curve.at(-1);
  if (!last) return { prune: false, reason: 'no intermediate value yet' };
  if (!Number.isFinite(last.value)) return { prune: false, reason: 'latest value is not finite' };
  switch (config.type) {
    case 'median': {
      if (last.step < config.warmupSteps) return { prune: false, reason: `median: within the first ${config.warmupSteps} steps` };
      const peers: number[] = [];
      for (const o of others) {
        if (o.number === trial.number || o.status !== 'completed') continue;
        const v = valueAt(o.curve, last.step);
        if (v !== undefined) peers.push(v);
      }
      if (peers.length < config.minTrials) return { prune: false, reason: `median: ${peers.length} finished trials reported step ${last.step}, ${config.minTrials} needed` };
      peers.sort((a, b) => a - b);
      const med = median(peers);
      let best = last.value;
      for (const p of trial.curve) if (Number.isFinite(p.value) && better(direction, p.value, best)) best = p.value;
      const prune = better(direction, med, best);
      return { prune, reason: `median: best so far ${best} is ${prune ? 'worse than' : 'no worse than'} the median ${med} of ${peers.length} trials at step ${last.step}` };
    }
    case 'asha':
      return ashaDecision(trial, others, direction, config.minResource, config.reductionFactor, 'asha');
    case 'hyperband': {
      const n = hyperbandBrackets(config.minResource, config.maxResource, config.reductionFactor);
      const bracket = trial.number % n;
      const minR = config.minResource * config.reductionFactor ** bracket;
      const peers = others.filter((o) => o.number % n === bracket);
      return ashaDecision(trial, peers, direction, minR, config.reductionFactor, `hyperband bracket ${bracket}`, config.maxResource);
    }
  }
}

/**
 * The value BO should record for a pruned trial: its best intermediate value, but never better
 * than the median final value of the completed trials (it was stopped for looking worse than its
 * peers; its early value says little about where it would have ended). Null when it reported
 * nothing usable.
 */
export function prunedObservationValue(direction: Direction, pruned: PrunableTrial, completedFinalValues: readonly number[]): number | null {
  let best: number | null = null;
  for (const p of pruned.curve) if (Number.isFinite(p.value) && (best === null || better(direction, p.value, best))) best = p.value;
  if (best === null) return null;
  const finals = completedFinalValues.filter(Number.isFinite).sort((a, b) => a - b);
  if (finals.length === 0) return best;
  const med = median(finals);
  return better(direction, best, med) ? med : best;
}

/**
 * Which of the other trials' values `shouldPrune` needs to judge `trial` at its latest step, so
 * that a store can read just those instead of every curve: their values exactly at `step`
 * (median), or at the first step each reported at or after `step` (a successive-halving rung).
 * Null when the decision needs none (nothing reported, within the warm-up, between rungs, or
 * promoted past the rung earlier): `shouldPrune` then keeps the trial whatever the others are.
 */
export function peerValuesNeeded(config: TPrunerConfig, trial: Pick<PrunableTrial, 'number' | 'curve'>): { mode: 'at' | 'reaching'; step: number } | null {
  const last = trial.curve.at(-1);
  if (!last || !Number.isFinite(last.value)) return null;
  if (config.type === 'median') return last.step < config.warmupSteps ? null : { mode: 'at', step: last.step };
  let minResource = config.minResource;
  let cap = Infinity;
  if (config.type === 'hyperband') {
    const n = hyperbandBrackets(config.minResource, config.maxResource, config.reductionFactor);
    minResource = config.minResource * config.reductionFactor ** (trial.number % n);
    cap = config.maxResource;
  }
  const reached = rungs(minResource, config.reductionFactor, last.step, cap);
  if (reached.length === 0) return null;
  const rung = reached[reached.length - 1];
  const previous = trial.curve.length > 1 ? trial.curve[trial.curve.length - 2].step : -Infinity;
  return previous >= rung ? null : { mode: 'reaching', step: rung };
}
