/**
 * Metrics as mergeable sufficient statistics (DESIGN section 6): an activity evaluates a block of
 * seeds and returns a small JSON state; the orchestrator merges blocks in any order and finalizes.
 * Conventions for every stat:
 *   empty(...)      a fresh state (plain JSON: numbers, arrays, null)
 *   add(s, batch)   folds a batch into s IN PLACE and returns s (states can be large: no copies)
 *   merge(a, b)     a new state equal to having added both inputs' batches; a and b untouched
 *   finalize(s)     the metric value(s)
 */
export interface MergeableStat<S, B, R, E extends unknown[] = []> {
  readonly kind: string;
  empty(...args: E): S;
  add(state: S, batch: B): S;
  merge(a: S, b: S): S;
  finalize(state: S): R;
}

export function assertKind(state: { kind: string }, kind: string): void {
  if (!state || state.kind !== kind) throw new TypeError(`expected a '${kind}' statistic, got '${state?.kind}'`);
}

/** Mean and standard error of the mean from (n, sum, sum of squares). */
export function meanAndStderr(n: number, sum: number, sumSq: number): { mean: number; stderr: number } {
  if (n === 0) return { mean: NaN, stderr: NaN };
  const mean = sum / n;
  if (n < 2) return { mean, stderr: NaN };
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  return { mean, stderr: Math.sqrt(variance / n) };
}
