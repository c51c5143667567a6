/**
 * Empirical distribution function of completed trials' values (Optuna's EDF plot): the sorted
 * values with the fraction of trials at or below each. Ties collapse into one step.
 */
export function empiricalDistribution(values: readonly number[]): Array<[number, number]> {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    out.push([sorted[i], (i + 1) / n]);
  }
  return out;
}
