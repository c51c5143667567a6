import type { NoiseSchedule } from './noise-schedules';

/**
 * Timestep grids t_0 = tStart > t_1 > ... > t_N = tEnd for N solver steps.
 *
 * - `logSNR`: uniform in lambda (DPM-Solver's recommendation for pixel-space models).
 * - `time-uniform`: uniform in t.
 * - `time-quadratic`: uniform in sqrt(t) (DDIM's choice for small images).
 * - `karras`: uniform in sigma_hat^(1/rho) with sigma_hat = sigma/alpha = e^{-lambda} (EDM).
 * Free-form grids (what S^3 searches) go through `validateTimesteps`.
 */

export const SPACING_NAMES = ['logSNR', 'time-uniform', 'time-quadratic', 'karras'] as const;
export type SpacingName = (typeof SPACING_NAMES)[number];

export interface SpacingOptions {
  spacing: SpacingName;
  steps: number;
  /** Defaults to the schedule's tMax. */
  tStart?: number;
  /** Defaults to the schedule's tMinDefault (1e-3 for VP linear, as in DPM-Solver). */
  tEnd?: number;
  /** Karras rho (default 7); only read by `karras`. */
  rho?: number;
}

export function makeTimesteps(noise: NoiseSchedule, opts: SpacingOptions): number[] {
  const { spacing, steps } = opts;
  const tStart = opts.tStart ?? noise.tMax;
  const tEnd = opts.tEnd ?? noise.tMinDefault;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  if (!(tEnd > 0 && tEnd < tStart && tStart <= noise.tMax)) {
    throw new RangeError(`need 0 < tEnd (${tEnd}) < tStart (${tStart}) <= tMax (${noise.tMax}) for ${noise.name}`);
  }
  const ts = new Array<number>(steps + 1);
  switch (spacing) {
    case 'logSNR': {
      const l0 = noise.lambda(tStart), l1 = noise.lambda(tEnd);
      for (let i = 0; i <= steps; i++) ts[i] = noise.inverseLambda(l0 + ((l1 - l0) * i) / steps);
      break;
    }
    case 'time-uniform':
      for (let i = 0; i <= steps; i++) ts[i] = tStart + ((tEnd - tStart) * i) / steps;
      break;
    case 'time-quadratic': {
      const a = Math.sqrt(tStart), b = Math.sqrt(tEnd);
      for (let i = 0; i <= steps; i++) ts[i] = (a + ((b - a) * i) / steps) ** 2;
      break;
    }
    case 'karras': {
      const rho = opts.rho ?? 7;
      if (!(rho > 0)) throw new RangeError(`karras rho must be positive, got ${rho}`);
      const sMax = Math.exp(-noise.lambda(tStart) / rho), sMin = Math.exp(-noise.lambda(tEnd) / rho);
      for (let i = 0; i <= steps; i++) {
        const sigmaHat = (sMax + ((sMin - sMax) * i) / steps) ** rho;
        ts[i] = noise.inverseLambda(-Math.log(sigmaHat));
      }
      break;
    }
    default:
      throw new RangeError(`unknown spacing "${String(spacing)}"; use one of ${SPACING_NAMES.join(', ')}`);
  }
  // Pin the ends exactly (round trips through lambda move them by an ulp or so).
  ts[0] = tStart;
  ts[steps] = tEnd;
  return ts;
}

/** Why a free-form grid is unusable, or null when it is fine. */
export function timestepsProblem(ts: readonly number[], noise: NoiseSchedule): string | null {
  if (ts.length < 2) return `give at least 2 timesteps (start and end), got ${ts.length}`;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (!Number.isFinite(t) || t <= 0 || t > noise.tMax) return `timestep ${i} (${t}) must lie in (0, ${noise.tMax}] for ${noise.name}`;
    if (i > 0 && !(t < ts[i - 1])) return `timesteps must be strictly decreasing: timestep ${i} (${t}) is not below timestep ${i - 1} (${ts[i - 1]})`;
  }
  return null;
}

export function validateTimesteps(ts: readonly number[], noise: NoiseSchedule): number[] {
  const problem = timestepsProblem(ts, noise);
  if (problem) throw new RangeError(problem);
  return [...ts];
}
