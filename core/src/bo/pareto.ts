/**
 * Multi-objective bookkeeping: Pareto dominance, the non-dominated front and the hypervolume it
 * dominates up to a reference point. Values are taken as given with one direction per objective;
 * internally everything is turned into minimisation.
 */

export type ObjectiveDirection = 'minimize' | 'maximize';

function toMin(values: ArrayLike<number>, directions: readonly ObjectiveDirection[]): number[] {
  if (values.length !== directions.length) throw new RangeError(`expected ${directions.length} objective values, got ${values.length}`);
  return directions.map((d, k) => (d === 'maximize' ? -values[k] : values[k]));
}

/** a dominates b: no worse in every objective and better in at least one (minimisation). */
function dominatesMin(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) better = true;
  }
  return better;
}

export function dominates(a: ArrayLike<number>, b: ArrayLike<number>, directions: readonly ObjectiveDirection[]): boolean {
  return dominatesMin(toMin(a, directions), toMin(b, directions));
}

/**
 * Indices of the non-dominated points, in input order. Points with a non-finite value (failed
 * trials) are never on the front; exact duplicates are all kept (none dominates another).
 */
export function paretoFront(points: ReadonlyArray<ArrayLike<number>>, directions: readonly ObjectiveDirection[]): number[] {
  const mins = points.map((p) => toMin(p, directions));
  const finite = mins.map((m) => m.every(Number.isFinite));
  const out: number[] = [];
  for (let i = 0; i < mins.length; i++) {
    if (!finite[i]) continue;
    let dominated = false;
    for (let j = 0; j < mins.length && !dominated; j++) if (j !== i && finite[j] && dominatesMin(mins[j], mins[i])) dominated = true;
    if (!dominated) out.push(i);
  }
  return out;
}

/**
 * Hypervolume dominated by the points and bounded by `reference` (which every counted point must
 * beat in every objective; others add nothing). Exact: a sweep for 2 objectives, recursive
 * slicing (HSO) above, which is fine for the fronts of a study (tens to hundreds of points, up to
 * 4 objectives).
 */
export function hypervolume(points: ReadonlyArray<ArrayLike<number>>, reference: ArrayLike<number>, directions: readonly ObjectiveDirection[]): number {
  const ref = toMin(reference, directions);
  const pts = points
    .map((p) => toMin(p, directions))
    .filter((p) => p.every((v, k) => Number.isFinite(v) && v < ref[k]));
  return hvMin(pts, ref);
}

function hvMin(pts: number[][], ref: number[]): number {
  if (pts.length === 0) return 0;
  const m = ref.length;
  if (m === 1) return ref[0] - Math.min(...pts.map((p) => p[0]));
  if (m === 2) {
    const sorted = [...pts].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let volume = 0, bestY = ref[1];
    for (const [x, y] of sorted) {
      if (y < bestY) {
        volume += (ref[0] - x) * (bestY - y);
        bestY = y;
      }
    }
    return volume;
  }
  // Slice along the last objective: between consecutive levels, the points at or below the
  // slice dominate an (m-1)-dimensional hypervolume.
  const sorted = [...pts].sort((a, b) => a[m - 1] - b[m - 1]);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1][m - 1] : ref[m - 1];
    const depth = top - sorted[i][m - 1];
    if (depth <= 0) continue;
    volume += depth * hvMin(sorted.slice(0, i + 1).map((p) => p.slice(0, m - 1)), ref.slice(0, m - 1));
  }
  return volume;
}
