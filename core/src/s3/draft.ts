import { MAX_ORDER, ZSolverSchedule, derivativePointsFor, scheduleTimesteps, type TInterpolation, type TPointRef, type TPrediction, type TRelaxation, type TSolverSchedule, type TSolverScheduleInput } from '../sampling/schedule';
import { nfeOf, orderCap, spaceNoise, type S3Space } from './space';

/**
 * A mutable working form of a schedule for the operators: the grid in lambda (increasing from
 * lambda(tStart) to lambda(tEnd)), and per step its decisions with explicit derivative points.
 * Operators edit drafts freely; `finishDraft` repairs one into a valid schedule of the space.
 */

export interface DraftStage {
  r: number;
  order: number;
  points: TPointRef[];
}

export interface DraftStep {
  prediction: TPrediction;
  order: number;
  points: TPointRef[];
  intermediate: DraftStage[];
  interpolation: TInterpolation;
  relaxation: TRelaxation;
  corrector: boolean;
}

export interface Draft {
  /** lambda_0 < lambda_1 < ... < lambda_N (t decreasing). */
  lambdas: number[];
  afs: boolean;
  steps: DraftStep[];
}

/** Intermediate points stay this far from the step ends and from each other (fraction of h). */
export const R_MARGIN = 0.05;
/** Smallest step, as a fraction of the mean step in lambda: keeps multistep weights bounded. */
const MIN_GAP_FRACTION = 0.05;

export function cloneDraft(d: Draft): Draft {
  return {
    lambdas: [...d.lambdas],
    afs: d.afs,
    steps: d.steps.map(cloneStep),
  };
}

export function cloneStep(s: DraftStep): DraftStep {
  return { ...s, points: s.points.map((p) => ({ ...p })), intermediate: s.intermediate.map((m) => ({ ...m, points: m.points.map((p) => ({ ...p })) })) };
}

export function toDraft(schedule: TSolverSchedule, space: S3Space): Draft {
  const noise = spaceNoise(space);
  let ts: number[];
  try {
    ts = scheduleTimesteps(schedule, noise);
  } catch {
    ts = [];
  }
  const n = schedule.steps.length;
  let lambdas = ts.length === n + 1 ? ts.map((t) => noise.lambda(t)) : [];
  if (lambdas.length !== n + 1 || lambdas.some((l) => !Number.isFinite(l))) lambdas = uniformLambdas(space, n);
  const steps: DraftStep[] = schedule.steps.map((s, i) => ({
    prediction: s.prediction,
    order: s.order,
    points: (s.derivativePoints ?? derivativePointsFor(i, s, null)).map((p) => ({ ...p })),
    intermediate: (s.intermediate ?? []).map((m, j) => ({ r: m.r, order: m.order, points: (m.derivativePoints ?? derivativePointsFor(i, s, j)).map((p) => ({ ...p })) })),
    interpolation: s.interpolation ?? 'lambda',
    relaxation: s.relaxation ?? 'none',
    corrector: s.corrector ?? false,
  }));
  return { lambdas, afs: !!schedule.analyticFirstStep, steps };
}

export function lambdaEnds(space: S3Space): [number, number] {
  const noise = spaceNoise(space);
  return [noise.lambda(space.tStart), noise.lambda(space.tEnd)];
}

export function uniformLambdas(space: S3Space, steps: number): number[] {
  const [l0, l1] = lambdaEnds(space);
  return Array.from({ length: steps + 1 }, (_, i) => l0 + ((l1 - l0) * i) / steps);
}

/** Draft NFE: step starts plus intermediate points, minus the analytic first step. */
export function draftNfe(d: Draft): number {
  let n = d.steps.length;
  for (const s of d.steps) n += s.intermediate.length;
  return n - (d.afs ? 1 : 0);
}

/** Default step decision used when a repair has to create a step. */
export function plainStep(prediction: TPrediction): DraftStep {
  return { prediction, order: 1, points: [], intermediate: [], interpolation: 'lambda', relaxation: 'none', corrector: false };
}

/** Split step k at the middle of its lambda interval; the new second half copies k without intermediates. */
export function splitStep(d: Draft, k: number): void {
  const mid = 0.5 * (d.lambdas[k] + d.lambdas[k + 1]);
  d.lambdas.splice(k + 1, 0, mid);
  const copy = cloneStep(d.steps[k]);
  copy.intermediate = [];
  d.steps.splice(k + 1, 0, copy);
}

/** Merge steps k and k+1 (drops timestep k+1); the merged step keeps step k's decisions. */
export function mergeSteps(d: Draft, k: number): void {
  d.lambdas.splice(k + 1, 1);
  d.steps.splice(k + 1, 1);
}

function widestStep(d: Draft): number {
  let best = 0;
  for (let k = 1; k < d.steps.length; k++) if (d.lambdas[k + 1] - d.lambdas[k] > d.lambdas[best + 1] - d.lambdas[best]) best = k;
  return best;
}

/** The adjacent pair whose merged interval is narrowest. */
function narrowestPair(d: Draft): number {
  let best = 0;
  for (let k = 1; k + 1 < d.steps.length; k++) if (d.lambdas[k + 2] - d.lambdas[k] < d.lambdas[best + 2] - d.lambdas[best]) best = k;
  return best;
}

function fixGrid(d: Draft, space: S3Space): void {
  const [l0, l1] = lambdaEnds(space);
  const n = d.steps.length;
  let ls = d.lambdas.length === n + 1 && d.lambdas.every(Number.isFinite) ? [...d.lambdas] : uniformLambdas(space, n);
  const inner = ls.slice(1, n).map((l) => Math.min(l1, Math.max(l0, l))).sort((a, b) => a - b);
  ls = [l0, ...inner, l1];
  const gap = (MIN_GAP_FRACTION * (l1 - l0)) / n;
  // Forward then backward pass push points apart to the minimum gap while staying inside [l0, l1].
  for (let k = 1; k < n; k++) ls[k] = Math.max(ls[k], ls[k - 1] + gap);
  for (let k = n - 1; k >= 1; k--) ls[k] = Math.min(ls[k], ls[k + 1] - gap);
  let ok = true;
  for (let k = 1; k <= n; k++) if (!(ls[k] - ls[k - 1] >= gap * 0.999)) ok = false;
  d.lambdas = ok ? ls : uniformLambdas(space, n);
}

function fixNfe(d: Draft, space: S3Space): void {
  if (!space.analyticFirstStep) d.afs = false;
  for (const s of d.steps) if (s.intermediate.length > space.maxIntermediate) s.intermediate.length = space.maxIntermediate;
  // The analytic first step needs at least one real evaluation afterwards to be worth anything,
  // and a one-evaluation budget with it would be a lone analytic DDIM step (fine: nfe 0 is not allowed).
  while (draftNfe(d) > space.nfe) {
    const withMid = d.steps.map((s, i) => (s.intermediate.length > 0 ? i : -1)).filter((i) => i >= 0);
    if (withMid.length > 0) {
      const k = withMid[withMid.length - 1];
      d.steps[k].intermediate.pop();
    } else if (d.steps.length > 1) {
      mergeSteps(d, narrowestPair(d));
    } else {
      d.afs = !d.afs && space.analyticFirstStep ? true : d.afs;
      if (draftNfe(d) > space.nfe) throw new Error('internal: cannot lower the NFE of a one-step draft');
    }
  }
  while (draftNfe(d) < space.nfe) splitStep(d, widestStep(d));
}

function fixPoints(points: TPointRef[], order: number, prevAvail: number, midAvail: number): TPointRef[] {
  const seen = new Set<string>();
  const kept: TPointRef[] = [];
  for (const p of points) {
    const ok = 'prev' in p ? p.prev >= 1 && p.prev <= prevAvail && p.prev <= 16 : p.mid >= 0 && p.mid < midAvail;
    const key = 'prev' in p ? `p${p.prev}` : `m${p.mid}`;
    if (ok && !seen.has(key)) {
      seen.add(key);
      kept.push({ ...p });
    }
  }
  // Missing points: the newest evaluations not used yet (this step's mids, newest first, then prev 1, 2, ...).
  const defaults: TPointRef[] = [];
  for (let j = midAvail - 1; j >= 0; j--) defaults.push({ mid: j });
  for (let k = 1; k <= Math.min(prevAvail, 16); k++) defaults.push({ prev: k });
  for (const p of defaults) {
    if (kept.length >= order - 1) break;
    const key = 'prev' in p ? `p${p.prev}` : `m${p.mid}`;
    if (!seen.has(key)) {
      seen.add(key);
      kept.push(p);
    }
  }
  // At most one point beyond order - 1 (a higher-degree interpolant, truncated at `order`).
  return kept.slice(0, order);
}

function relaxationActs(step: DraftStep, relaxation: TRelaxation): boolean {
  if (relaxation === 'none') return true;
  if (step.interpolation === 'time') return false;
  const acted = relaxation === 'dpmsolver-3m' ? 3 : 2;
  return step.order === acted || step.intermediate.some((m) => m.order === acted) || (step.corrector && step.order === acted - 1);
}

function fixStep(step: DraftStep, i: number, isLast: boolean, space: S3Space): void {
  const cap = orderCap(space);
  if (!space.predictions.includes(step.prediction)) step.prediction = space.predictions[0];
  if (!space.interpolations.includes(step.interpolation)) step.interpolation = space.interpolations[0];
  // Intermediate fractions: increasing inside [margin, 1 - margin], at least `margin` apart.
  const m = step.intermediate.length;
  if (m > 0) {
    const rs = step.intermediate.map((s) => (Number.isFinite(s.r) ? Math.min(1 - R_MARGIN, Math.max(R_MARGIN, s.r)) : 0.5)).sort((a, b) => a - b);
    let ok = true;
    for (let j = 1; j < m; j++) if (rs[j] - rs[j - 1] < R_MARGIN * 0.999) ok = false;
    step.intermediate.forEach((s, j) => (s.r = ok ? rs[j] : (j + 1) / (m + 1)));
  }
  step.intermediate.forEach((s, j) => {
    s.order = Math.max(1, Math.min(cap, Math.round(s.order) || 1, 1 + i + j));
    s.points = fixPoints(s.points, s.order, i, j);
  });
  step.order = Math.max(1, Math.min(cap, Math.round(step.order) || 1, 1 + i + m));
  step.points = fixPoints(step.points, step.order, i, m);
  if (!space.corrector || isLast || step.order + 1 > MAX_ORDER) step.corrector = false;
  if (!space.relaxations.includes(step.relaxation as never) || !relaxationActs(step, step.relaxation)) step.relaxation = 'none';
}

/** Repair a draft in place and build the schedule; it validates and has exactly space.nfe evaluations. */
export function finishDraft(d: Draft, space: S3Space): TSolverSchedule {
  if (d.steps.length === 0) {
    d.steps = [plainStep(space.predictions[0])];
    d.lambdas = uniformLambdas(space, 1);
  }
  if (d.lambdas.length !== d.steps.length + 1) d.lambdas = uniformLambdas(space, d.steps.length);
  fixNfe(d, space);
  fixGrid(d, space);
  d.steps.forEach((s, i) => fixStep(s, i, i === d.steps.length - 1, space));
  const noise = spaceNoise(space);
  const n = d.steps.length;
  const values = d.lambdas.map((l, k) => (k === 0 ? space.tStart : k === n ? space.tEnd : noise.inverseLambda(l)));
  const doc: TSolverScheduleInput = {
    version: 1,
    noiseSchedule: space.noiseSchedule,
    timesteps: { spacing: 'explicit', values },
    analyticFirstStep: d.afs,
    steps: d.steps.map((s) => ({
      prediction: s.prediction,
      order: s.order,
      derivativePoints: s.points,
      intermediate: s.intermediate.map((m) => ({ r: m.r, order: m.order, derivativePoints: m.points })),
      interpolation: s.interpolation,
      relaxation: s.relaxation,
      corrector: s.corrector,
    })),
  };
  const parsed = ZSolverSchedule.safeParse(doc);
  if (!parsed.success) throw new Error(`internal: repair produced an invalid schedule: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
  if (nfeOf(parsed.data) !== space.nfe) throw new Error(`internal: repair produced NFE ${nfeOf(parsed.data)}, wanted ${space.nfe}`);
  return parsed.data;
}

/**
 * Make any schedule a valid member of the space: explicit grid from tStart to the study's tEnd,
 * decisions the space allows, derivative points that exist, and exactly space.nfe evaluations.
 */
export function repair(schedule: TSolverSchedule, space: S3Space): TSolverSchedule {
  return finishDraft(toDraft(schedule, space), space);
}
