import type { TSolverSchedule } from '../sampling/schedule';
import { lambdaEnds, toDraft } from './draft';
import { S3_RELAXATIONS, type S3Space } from './space';

/**
 * Fixed-length numeric encoding of a schedule of one NFE group, every coordinate in [0, 1]
 * (what the GP kernel expects). Steps are slots 0..nfe (an NFE-n schedule has at most n + 1
 * steps: all multistep with the analytic first step); unused slots are zero with exists = 0.
 * Because slots align by index, schedules with different step counts would be compared
 * step-by-wrong-step; the sorted positions of the n model evaluations on the lambda axis are
 * appended as an alignment-free summary.
 */

const PER_SLOT = 22;
const GLOBAL = 2;

export function encodingDim(nfe: number): number {
  return (nfe + 1) * PER_SLOT + GLOBAL + nfe;
}

export function encodeSchedule(s: TSolverSchedule, space: S3Space, out = new Float64Array(encodingDim(space.nfe)), offset = 0): Float64Array {
  const d = toDraft(s, space);
  const [l0, l1] = lambdaEnds(space);
  const span = l1 - l0;
  const slots = space.nfe + 1;
  const dim = encodingDim(space.nfe);
  out.fill(0, offset, offset + dim);
  const norm = (l: number) => Math.min(1, Math.max(0, (l - l0) / span));
  const evalAt: number[] = [];
  d.steps.forEach((st, i) => {
    if (i >= slots) return;
    const o = offset + i * PER_SLOT;
    const h = d.lambdas[i + 1] - d.lambdas[i];
    out[o] = 1;
    out[o + 1] = norm(d.lambdas[i]);
    out[o + 2] = Math.min(1, (h / span) * Math.min(slots, 4) / 2);
    out[o + 3] = st.prediction === 'data' ? 1 : 0;
    out[o + 4 + Math.min(3, st.order - 1)] = 1;
    out[o + 8] = Math.min(1, Math.max(0, st.points.length - (st.order - 1)));
    // Skips a recent evaluation (uses prev k while some newer prev is unused).
    const prevs = st.points.flatMap((p) => ('prev' in p ? [p.prev] : []));
    out[o + 9] = prevs.some((k) => k > prevs.length) ? 1 : 0;
    out[o + 10] = st.corrector ? 1 : 0;
    const ri = S3_RELAXATIONS.indexOf(st.relaxation as never);
    if (ri >= 0) out[o + 11 + ri] = 1;
    out[o + 16] = st.interpolation === 'time' ? 1 : 0;
    out[o + 17] = st.intermediate.length / 3;
    st.intermediate.slice(0, 2).forEach((m, j) => {
      out[o + 18 + j] = m.r;
      out[o + 20 + j] = m.order / 4;
    });
    if (!(i === 0 && d.afs)) evalAt.push(norm(d.lambdas[i]));
    for (const m of st.intermediate) evalAt.push(norm(d.lambdas[i] + m.r * h));
  });
  const g = offset + slots * PER_SLOT;
  out[g] = d.afs ? 1 : 0;
  out[g + 1] = d.steps.length / slots;
  evalAt.sort((a, b) => a - b);
  for (let k = 0; k < space.nfe; k++) out[g + GLOBAL + k] = evalAt[k] ?? 1;
  return out;
}

/** Encode many schedules into one row-major [m, dim] array. */
export function encodeAll(schedules: readonly TSolverSchedule[], space: S3Space): Float64Array {
  const dim = encodingDim(space.nfe);
  const X = new Float64Array(schedules.length * dim);
  schedules.forEach((s, i) => encodeSchedule(s, space, X, i * dim));
  return X;
}
