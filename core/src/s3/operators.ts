import type { CounterRng } from '../rng';
import type { TSolverSchedule } from '../sampling/schedule';
import { R_MARGIN, cloneDraft, cloneStep, finishDraft, lambdaEnds, mergeSteps, splitStep, toDraft, type Draft, type DraftStep } from './draft';
import { pick, randomPoints, randomStage } from './random';
import { orderCap, type S3Space } from './space';

/**
 * Variation operators on schedules. Each takes valid schedules of the space and returns a
 * valid one with exactly space.nfe evaluations: the operator edits a draft freely and
 * finishDraft repairs it (grid order and bounds, derivative points that exist, decisions the
 * space allows, the NFE restored by splitting the widest or merging the narrowest steps).
 */

export type S3Operator = (parents: readonly [TSolverSchedule, TSolverSchedule], space: S3Space, rng: CounterRng) => TSolverSchedule;

/** Jitter the inner timesteps in lambda by a normal of `scale` times the local step (a few, or all). */
export function mutateTimesteps(s: TSolverSchedule, space: S3Space, rng: CounterRng, scale = 0.3): TSolverSchedule {
  const d = toDraft(s, space);
  const n = d.steps.length;
  if (n < 2) return finishDraft(d, space);
  const all = rng.uniform() < 0.4;
  const moved = all ? n - 1 : 1 + rng.int(Math.min(2, n - 1));
  const which = all ? Array.from({ length: n - 1 }, (_, k) => k + 1) : Array.from({ length: moved }, () => 1 + rng.int(n - 1));
  const sigma = scale * Math.exp(Math.log(4) * (rng.uniform() - 0.75)); // scale x [1/2.8, 1.4]: some fine, some coarse moves
  const next = [...d.lambdas];
  for (const k of which) {
    const local = 0.5 * (d.lambdas[k + 1] - d.lambdas[k - 1]);
    next[k] = d.lambdas[k] + sigma * local * rng.normal();
  }
  if (rng.uniform() < 0.15) {
    // A global warp: shift the whole grid towards one end.
    const [l0, l1] = lambdaEnds(space);
    const p = Math.exp(0.3 * rng.normal());
    for (let k = 1; k < n; k++) next[k] = l0 + (l1 - l0) * ((next[k] - l0) / (l1 - l0)) ** p;
  }
  d.lambdas = next;
  return finishDraft(d, space);
}

type Field = 'prediction' | 'order' | 'points' | 'relaxation' | 'corrector' | 'interpolation' | 'stage';

/** Resample one decision of one step (or of one of its intermediate points). */
export function mutateDecision(s: TSolverSchedule, space: S3Space, rng: CounterRng): TSolverSchedule {
  const d = toDraft(s, space);
  const i = rng.int(d.steps.length);
  const st = d.steps[i];
  const fields: Field[] = ['prediction', 'order', 'order', 'points', 'relaxation', 'corrector'];
  if (space.interpolations.length > 1) fields.push('interpolation');
  if (st.intermediate.length > 0) fields.push('stage', 'stage');
  const field = pick(rng, fields);
  const cap = orderCap(space);
  switch (field) {
    case 'prediction':
      st.prediction = pick(rng, space.predictions);
      break;
    case 'order':
      st.order = rng.uniform() < 0.6 ? st.order + (rng.uniform() < 0.5 ? -1 : 1) : 1 + rng.int(cap);
      st.points = randomPoints(rng, Math.max(1, Math.min(cap, st.order)), i, st.intermediate.length);
      break;
    case 'points':
      st.points = randomPoints(rng, st.order, i, st.intermediate.length);
      break;
    case 'relaxation':
      st.relaxation = pick(rng, space.relaxations);
      break;
    case 'corrector':
      st.corrector = !st.corrector;
      break;
    case 'interpolation':
      st.interpolation = pick(rng, space.interpolations);
      break;
    case 'stage': {
      const j = rng.int(st.intermediate.length);
      if (rng.uniform() < 0.5) st.intermediate[j].r += 0.15 * rng.normal();
      else st.intermediate[j] = randomStage(rng, space, i, j, st.intermediate[j].r);
      break;
    }
  }
  // Several steps at once now and then, so that a coordinated change (all predictions) is reachable.
  if (rng.uniform() < 0.2) {
    const p = pick(rng, space.predictions);
    for (const x of d.steps) x.prediction = p;
  }
  return finishDraft(d, space);
}

/**
 * Move NFE between steps at a constant total: trade an intermediate point for a step (or back),
 * move an intermediate point to another step, or toggle the analytic first step against a step.
 */
export function moveNfe(s: TSolverSchedule, space: S3Space, rng: CounterRng): TSolverSchedule {
  const d = toDraft(s, space);
  const n = d.steps.length;
  const withMid = d.steps.map((x, i) => (x.intermediate.length > 0 ? i : -1)).filter((i) => i >= 0);
  const canAddMid = space.maxIntermediate > 0 && d.steps.some((x) => x.intermediate.length < space.maxIntermediate);
  const moves: string[] = [];
  if (withMid.length > 0) moves.push('mid-to-step', 'move-mid');
  if (canAddMid && n > 1) moves.push('step-to-mid', 'step-to-mid');
  if (space.analyticFirstStep) moves.push('toggle-afs');
  if (n > 1) moves.push('merge-split');
  if (moves.length === 0) return finishDraft(d, space);
  const addMid = (k: number) => {
    const st = d.steps[k];
    const r = R_MARGIN + (1 - 2 * R_MARGIN) * rng.uniform();
    st.intermediate.push(randomStage(rng, space, k, st.intermediate.length, r));
    st.intermediate.sort((a, b) => a.r - b.r);
    st.order = Math.max(st.order, 2);
  };
  const openForMid = () => d.steps.map((x, i) => (x.intermediate.length < space.maxIntermediate ? i : -1)).filter((i) => i >= 0);
  switch (pick(rng, moves)) {
    case 'mid-to-step': {
      const k = pick(rng, withMid);
      d.steps[k].intermediate.splice(rng.int(d.steps[k].intermediate.length), 1);
      splitStep(d, rng.int(d.steps.length));
      break;
    }
    case 'move-mid': {
      const k = pick(rng, withMid);
      d.steps[k].intermediate.splice(rng.int(d.steps[k].intermediate.length), 1);
      const open = openForMid();
      if (open.length > 0) addMid(pick(rng, open));
      break;
    }
    case 'step-to-mid': {
      mergeSteps(d, rng.int(n - 1));
      const open = openForMid();
      if (open.length > 0) addMid(pick(rng, open));
      break;
    }
    case 'toggle-afs':
      if (d.afs) {
        d.afs = false;
        if (d.steps.length > 1) mergeSteps(d, rng.int(d.steps.length - 1));
      } else {
        d.afs = true;
        splitStep(d, rng.int(d.steps.length));
      }
      break;
    case 'merge-split': {
      mergeSteps(d, rng.int(n - 1));
      splitStep(d, rng.int(d.steps.length));
      break;
    }
  }
  return finishDraft(d, space);
}

/**
 * Whole-step crossover. Parents with the same number of steps swap whole step decisions
 * (uniformly) and take one parent's grid or their mean; otherwise a cut in lambda takes the
 * steps of `a` before it and those of `b` after it (NFE restored by repair).
 */
export function crossoverSteps(a: TSolverSchedule, b: TSolverSchedule, space: S3Space, rng: CounterRng): TSolverSchedule {
  const da = toDraft(a, space), db = toDraft(b, space);
  if (da.steps.length === db.steps.length) {
    const out = cloneDraft(da);
    out.steps = da.steps.map((s, i) => cloneStep(rng.uniform() < 0.5 ? s : db.steps[i]));
    const g = rng.uniform();
    if (g < 0.33) out.lambdas = [...db.lambdas];
    else if (g < 0.66) out.lambdas = da.lambdas.map((l, k) => 0.5 * (l + db.lambdas[k]));
    out.afs = rng.uniform() < 0.5 ? da.afs : db.afs;
    return finishDraft(out, space);
  }
  const [l0, l1] = lambdaEnds(space);
  const cut = l0 + (l1 - l0) * (0.15 + 0.7 * rng.uniform());
  const lambdas: number[] = [];
  const steps: DraftStep[] = [];
  da.steps.forEach((s, i) => {
    if (da.lambdas[i] < cut) {
      lambdas.push(da.lambdas[i]);
      steps.push(cloneStep(s));
    }
  });
  db.steps.forEach((s, i) => {
    if (db.lambdas[i] >= cut) {
      lambdas.push(db.lambdas[i]);
      steps.push(cloneStep(s));
    }
  });
  lambdas.push(l1);
  const out: Draft = { lambdas, afs: da.afs, steps };
  return finishDraft(out, space);
}

/** Per-decision crossover: steps aligned by relative position, each field from either parent. */
export function crossoverDecisions(a: TSolverSchedule, b: TSolverSchedule, space: S3Space, rng: CounterRng): TSolverSchedule {
  const da = toDraft(a, space), db = toDraft(b, space);
  const out = cloneDraft(da);
  const na = da.steps.length, nb = db.steps.length;
  out.steps.forEach((s, i) => {
    const o = db.steps[Math.min(nb - 1, Math.round((i * (nb - 1)) / Math.max(1, na - 1)))];
    if (rng.uniform() < 0.5) s.prediction = o.prediction;
    if (rng.uniform() < 0.5) {
      s.order = o.order;
      s.points = o.points.map((p) => ({ ...p }));
    }
    if (rng.uniform() < 0.5) s.relaxation = o.relaxation;
    if (rng.uniform() < 0.5) s.corrector = o.corrector;
    if (rng.uniform() < 0.5) s.interpolation = o.interpolation;
  });
  if (na === nb && rng.uniform() < 0.5) {
    const w = rng.uniform();
    out.lambdas = da.lambdas.map((l, k) => (1 - w) * l + w * db.lambdas[k]);
  }
  return finishDraft(out, space);
}

export const S3_OPERATORS: Record<'mutateTimesteps' | 'mutateDecision' | 'moveNfe' | 'crossoverSteps' | 'crossoverDecisions', S3Operator> = {
  mutateTimesteps: ([a], space, rng) => mutateTimesteps(a, space, rng),
  mutateDecision: ([a], space, rng) => mutateDecision(a, space, rng),
  moveNfe: ([a], space, rng) => moveNfe(a, space, rng),
  crossoverSteps: ([a, b], space, rng) => crossoverSteps(a, b, space, rng),
  crossoverDecisions: ([a, b], space, rng) => crossoverDecisions(a, b, space, rng),
};

export { repair } from './draft';
