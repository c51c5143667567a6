import type { TSolverSchedule } from '../sampling/schedule';

/**
 * Canonical identity of a schedule: JSON with a fixed key order and timesteps / fractions
 * rounded to 12 significant digits (repairs round-trip through lambda, which moves a value by
 * an ulp or two; such schedules are the same candidate). Defaults are written out, so a schedule
 * and its parsed form have the same key.
 */
export function scheduleKey(s: TSolverSchedule): string {
  const num = (x: number) => Number(x.toPrecision(12));
  const pts = (ps: ReadonlyArray<{ prev: number } | { mid: number }> | undefined) => (ps ? ps.map((p) => ('prev' in p ? `p${p.prev}` : `m${p.mid}`)).join(',') : '*');
  const t = s.timesteps.spacing === 'explicit' ? s.timesteps.values.map(num) : s.timesteps;
  const steps = s.steps.map((st) => [
    st.prediction, st.order, pts(st.derivativePoints),
    (st.intermediate ?? []).map((m) => [num(m.r), m.order, pts(m.derivativePoints)]),
    st.interpolation ?? 'lambda', st.relaxation ?? 'none', st.relaxationCoefficient ?? null, st.corrector ?? false,
  ]);
  return JSON.stringify([s.noiseSchedule, t, !!s.analyticFirstStep, steps]);
}

export function schedulesEqual(a: TSolverSchedule, b: TSolverSchedule): boolean {
  return scheduleKey(a) === scheduleKey(b);
}
