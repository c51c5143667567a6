import { getMoFunction, isMoFunctionName, moOutputNames } from '../functions/multi-objective';
import { hypervolume, type ObjectiveDirection } from './pareto';

/**
 * What the dashboard and the CLI show of a multi-objective study beyond its stored front: the
 * hypervolume reference point (and where it came from) and the hypervolume after each completed
 * trial, thinned. Pure: the service reads the rows and calls these.
 */

export interface HypervolumeReference {
  point: number[];
  /** function: the test problem's standard point (BoTorch's); observed: from the trials' values. */
  source: 'function' | 'observed';
  note: string;
}

/** Margin past the worst observed value, as a fraction of each objective's observed range. */
export const OBSERVED_REFERENCE_MARGIN = 0.1;

/**
 * The reference point: a multi-output test function's standard one when every objective is
 * minimised (as the function defines them), otherwise per objective the worst observed value
 * moved OBSERVED_REFERENCE_MARGIN of the observed range further (1 when the range is 0). An
 * observed point moves as trials arrive, so hypervolumes are comparable within one reading only.
 */
export function hypervolumeReference(
  objective: { type: string; function?: string; dim?: number },
  objectives: ReadonlyArray<{ metric: string; direction: ObjectiveDirection }>,
  rows: ReadonlyArray<readonly number[]>,
): HypervolumeReference {
  const directions = objectives.map((o) => o.direction);
  if (objective.type === 'function' && objective.function && isMoFunctionName(objective.function) && directions.every((d) => d === 'minimize')) {
    const fn = getMoFunction(objective.function, objective.dim);
    // In the study's objective order, which may list the function's outputs in another order.
    const names = moOutputNames(fn);
    return { point: objectives.map((o) => fn.reference[names.indexOf(o.metric)]), source: 'function', note: `${fn.name}'s standard reference point (as BoTorch uses it)` };
  }
  const point = directions.map((d, k) => {
    const vals = rows.map((r) => r[k]).filter(Number.isFinite);
    if (vals.length === 0) return d === 'minimize' ? 1 : -1;
    const lo = Math.min(...vals), hi = Math.max(...vals);
    const margin = hi > lo ? OBSERVED_REFERENCE_MARGIN * (hi - lo) : 1;
    return d === 'minimize' ? hi + margin : lo - margin;
  });
  return { point, source: 'observed', note: `the worst observed value of each objective, ${OBSERVED_REFERENCE_MARGIN * 100}% of its observed range further` };
}

export interface HypervolumePoint {
  /** Completed trials so far (1-based position in completion order). */
  completed: number;
  trialNumber: number;
  hypervolume: number;
}

/**
 * Hypervolume of the front of the first k completed trials, at every k when there are at most
 * `maxPoints` trials, else at `maxPoints` evenly spaced k (the last trial always). The front is
 * kept incrementally (each trial compared with it), and the hypervolume, exact but costly for 3-4
 * objectives, is computed only at those points and only when the front changed since the last.
 */
export function hypervolumeCurve(
  rows: ReadonlyArray<{ number: number; values: readonly number[] }>,
  directions: readonly ObjectiveDirection[],
  reference: readonly number[],
  maxPoints = 500,
): HypervolumePoint[] {
  const sign = directions.map((d) => (d === 'maximize' ? -1 : 1));
  const ref = reference.map((x, k) => x * sign[k]);
  const minimize = sign.map(() => 'minimize' as const);
  const n = rows.length;
  const at = new Set<number>();
  if (n <= maxPoints) for (let i = 0; i < n; i++) at.add(i);
  else for (let j = 0; j < maxPoints; j++) at.add(Math.round((j * (n - 1)) / (maxPoints - 1)));
  const front: number[][] = [];
  const out: HypervolumePoint[] = [];
  let hv = 0;
  let dirty = false;
  rows.forEach((r, i) => {
    const v = r.values.map((x, k) => x * sign[k]);
    if (v.length === sign.length && v.every(Number.isFinite) && !front.some((f) => weaklyDominates(f, v))) {
      for (let j = front.length - 1; j >= 0; j--) if (weaklyDominates(v, front[j])) front.splice(j, 1);
      front.push(v);
      dirty = true;
    }
    if (!at.has(i)) return;
    if (dirty) hv = hypervolume(front, ref, minimize);
    dirty = false;
    out.push({ completed: i + 1, trialNumber: r.number, hypervolume: hv });
  });
  return out;
}

/** a is no worse than b everywhere (minimisation); equal points count, so duplicates are kept once. */
function weaklyDominates(a: readonly number[], b: readonly number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] > b[k]) return false;
  return true;
}
