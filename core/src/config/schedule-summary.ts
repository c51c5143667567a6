import { scheduleNfe } from '../sampling/schedule';

/**
 * A solver schedule in a few characters, for table cells and terminal lines:
 * "USF · 5 NFE · data/1 data/2+1m,c noise/3 …" — per step its prediction type, Taylor order,
 * intermediate points (+k m) and corrector (,c); "afs" marks the analytic first step. Reads
 * stored JSON defensively (trial params come back from Postgres unchecked): null for anything
 * that is not a schedule.
 */
export function scheduleSummary(value: unknown, maxSteps = 3): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const s = value as { steps?: unknown; analyticFirstStep?: unknown; timesteps?: { spacing?: unknown } };
  if (!Array.isArray(s.steps) || s.steps.length === 0) return null;
  const steps = s.steps as Array<{ prediction?: unknown; order?: unknown; intermediate?: unknown; corrector?: unknown }>;
  if (!steps.every((st) => typeof st === 'object' && st !== null && typeof st.order === 'number')) return null;
  const mids = (st: (typeof steps)[number]) => (Array.isArray(st.intermediate) ? st.intermediate.length : 0);
  const nfe = scheduleNfe({ steps: steps.map((st) => ({ intermediate: new Array(mids(st)) })) as never, analyticFirstStep: s.analyticFirstStep === true });
  const step = (st: (typeof steps)[number]) =>
    `${typeof st.prediction === 'string' ? st.prediction : '?'}/${st.order}${mids(st) ? `+${mids(st)}m` : ''}${st.corrector === true ? ',c' : ''}`;
  const shown = steps.slice(0, maxSteps).map(step).join(' ');
  const spacing = typeof s.timesteps?.spacing === 'string' && s.timesteps.spacing !== 'explicit' ? ` · ${s.timesteps.spacing}` : '';
  return `USF · ${nfe} NFE${spacing} · ${s.analyticFirstStep === true ? 'afs ' : ''}${shown}${steps.length > maxSteps ? ' …' : ''}`;
}
