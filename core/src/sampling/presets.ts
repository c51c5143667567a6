import { getNoiseSchedule, type NoiseSchedule, type NoiseScheduleName } from './noise-schedules';
import { ZSolverSchedule, type TRelaxation, type TSolverSchedule, type TSolverScheduleInput, type TStepDecisionInput, type TTimestepsSpec } from './schedule';
import { makeTimesteps, type SpacingName } from './spacings';

/**
 * Published samplers written as USF schedules, so that the one USF update implements all of them
 * and S^3 can start its search from any of them.
 *
 * Warm-up and ending conventions follow each reference implementation:
 * - multistep methods start with orders 1, 2, ... (there are not enough past evaluations yet);
 * - DPM-Solver(++) multistep lowers the order of the final steps only when there are fewer than
 *   10 steps (DPM-Solver repo); UniPC always does (UniPC repo); DEIS never does;
 * - singlestep DPM-Solver splits the NFE into order-k steps and one lower-order tail step exactly
 *   like DPM-Solver's get_orders_and_timesteps_for_singlestep_solver, and places the intermediate
 *   points of an order-k step from s to t where its sample() does: at the inner points of the
 *   same spacing rule applied to [s, t] with k + 1 points (get_time_steps(skip_type, s, t, k)).
 *   For logSNR spacing those are the lambda fractions 1/2 and 1/3, 2/3; for time-uniform or
 *   time-quadratic spacing they are not. `intermediatePoints: 'lambda-fractions'` keeps the
 *   fractions for every spacing (Stepwise's rule before it followed the reference);
 * - DPM-Solver++(3M) (`dpmpp-3m`) is the official multistep third-order update, which weights its
 *   second difference by half of the exact Taylor coefficient and so converges at order 2 (see
 *   SECOND_DERIVATIVE_FACTOR); `dpmpp-3m-exact` is the same method with the exact weights, the
 *   true third-order exponential multistep method (equal to UniP-3 without corrector, B2(h)).
 * - UniPC runs the corrector after every step but the last.
 * `lowerOrderFinal` overrides the multistep ending rule.
 */

export const PRESET_NAMES = [
  'ddim',
  'dpm-solver-2',
  'dpm-solver-3',
  'dpmpp-2m',
  'dpmpp-3m',
  'dpmpp-3m-exact',
  'unipc-bh1',
  'unipc-bh1-noc',
  'unipc-bh2',
  'unipc-bh2-noc',
  'deis-tab1',
  'deis-tab2',
  'deis-tab3',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * Presets with their own solver paths and model statistics, not USF schedules (per-dimension
 * coefficients; a compensated evaluation that replaces the stored one): DPM-Solver-v3 (EMS,
 * ems.ts, dpm-solver-v3.ts) and DC-Solver (ratios per (model, NFE), dc-solver.ts). A sampler
 * objective takes them by name; the compute worker computes and caches their statistics. They are
 * not in PRESET_NAMES: buildPresetSchedule cannot express them, and S^3 searches USF schedules.
 */
export const STATISTICAL_PRESET_NAMES = ['dpm-solver-v3', 'dc-solver'] as const;
export type StatisticalPresetName = (typeof STATISTICAL_PRESET_NAMES)[number];
/** Every preset a sampler objective accepts. */
export const SAMPLER_PRESET_NAMES = [...PRESET_NAMES, ...STATISTICAL_PRESET_NAMES] as const;
export type SamplerPresetName = (typeof SAMPLER_PRESET_NAMES)[number];
export const isStatisticalPreset = (p: string): p is StatisticalPresetName => (STATISTICAL_PRESET_NAMES as readonly string[]).includes(p);

/**
 * Where singlestep presets put a step's intermediate points: `spacing` (DPM-Solver's rule, the
 * default) applies the timestep spacing inside the step; `lambda-fractions` puts them at fixed
 * fractions of the step's lambda interval (1/2; 1/3 and 2/3) whatever the spacing.
 */
export const INTERMEDIATE_RULES = ['spacing', 'lambda-fractions'] as const;
export type IntermediateRule = (typeof INTERMEDIATE_RULES)[number];

export interface PresetOptions {
  noiseSchedule?: NoiseScheduleName;
  /** Default `logSNR` (DPM-Solver's choice for VP models). */
  spacing?: SpacingName;
  tStart?: number;
  tEnd?: number;
  rho?: number;
  /** UniPC predictor order p (1-3, default 3); with the corrector the method has order p+1. */
  order?: number;
  /** Lower the order of the last steps of multistep methods (default: as the reference does). */
  lowerOrderFinal?: boolean;
  /** Singlestep intermediate points (default `spacing`, as DPM-Solver does); see IntermediateRule. */
  intermediatePoints?: IntermediateRule;
}

/** Reference theoretical convergence order of a preset (global error ~ NFE^-order). */
export function presetOrder(preset: PresetName, options: Pick<PresetOptions, 'order'> = {}): number {
  switch (preset) {
    case 'ddim': return 1;
    case 'dpm-solver-2': case 'dpmpp-2m': return 2;
    // The published 3M halves its second-derivative term: local error O(h^3), global order 2.
    case 'dpmpp-3m': return 2;
    case 'dpm-solver-3': case 'dpmpp-3m-exact': return 3;
    case 'unipc-bh1': case 'unipc-bh2': return (options.order ?? 3) + 1;
    case 'unipc-bh1-noc': case 'unipc-bh2-noc': return options.order ?? 3;
    case 'deis-tab1': return 2;
    case 'deis-tab2': return 3;
    case 'deis-tab3': return 4;
  }
}

const prevPoints = (n: number) => Array.from({ length: n }, (_, k) => ({ prev: k + 1 }));

/** Orders of a warm-started multistep method with `steps` steps and target order `order`. */
export function multistepOrders(steps: number, order: number, lowerOrderFinal: boolean): number[] {
  return Array.from({ length: steps }, (_, i) => {
    let o = Math.min(order, i + 1);
    if (lowerOrderFinal) o = Math.min(o, steps - i);
    return o;
  });
}

/** DPM-Solver's split of `nfe` evaluations into singlestep orders. */
export function singlestepOrders(nfe: number, order: 2 | 3): number[] {
  if (order === 3) {
    const k = Math.floor(nfe / 3) + 1;
    if (nfe % 3 === 0) return [...Array<number>(k - 2).fill(3), 2, 1];
    if (nfe % 3 === 1) return [...Array<number>(k - 1).fill(3), 1];
    return [...Array<number>(k - 1).fill(3), 2];
  }
  if (nfe % 2 === 0) return Array<number>(nfe / 2).fill(2);
  return [...Array<number>(Math.floor(nfe / 2)).fill(2), 1];
}

/** Lambda fractions of the intermediate points of an order-`order` singlestep step. */
const LAMBDA_FRACTIONS: Record<number, number[]> = { 1: [], 2: [1 / 2], 3: [1 / 3, 2 / 3] };

/**
 * DPM-Solver's intermediate points of a step from s to t: the inner points of `spacing` on [s, t]
 * with order + 1 points, as fractions r of h = lambda_t - lambda_s. For logSNR these are exactly
 * LAMBDA_FRACTIONS (DPM-Solver gets them back through inverse_lambda, to within an ulp).
 */
export function singlestepFractions(
  noise: NoiseSchedule, spacing: SpacingName, s: number, t: number, order: number, rule: IntermediateRule = 'spacing', rho?: number,
): number[] {
  const fixed = LAMBDA_FRACTIONS[order];
  if (!fixed) throw new RangeError(`no singlestep DPM-Solver of order ${order}`);
  if (order === 1 || rule === 'lambda-fractions' || spacing === 'logSNR') return fixed;
  const inner = makeTimesteps(noise, { spacing, steps: order, tStart: s, tEnd: t, rho });
  const ls = noise.lambda(s), h = noise.lambda(t) - ls;
  return inner.slice(1, -1).map((tau) => (noise.lambda(tau) - ls) / h);
}

function singlestepDecision(order: number, r: number[]): TStepDecisionInput {
  switch (order) {
    case 1:
      return { prediction: 'noise', order: 1 };
    case 2: // DPM-Solver-2: one intermediate point, relaxed phi_2 term (e^h - 1)/2 ('dpmsolver' solver type)
      return { prediction: 'noise', order: 2, intermediate: [{ r: r[0], order: 1 }], derivativePoints: [{ mid: 0 }], relaxation: 'dpmsolver-2' };
    case 3: // DPM-Solver-3: each later update uses one difference with the exact phi_2
      return {
        prediction: 'noise',
        order: 2,
        intermediate: [
          { r: r[0], order: 1 },
          { r: r[1], order: 2, derivativePoints: [{ mid: 0 }] },
        ],
        derivativePoints: [{ mid: 1 }],
      };
    default:
      throw new RangeError(`no singlestep DPM-Solver of order ${order}`);
  }
}

export function buildPresetSchedule(preset: PresetName, nfe: number, options: PresetOptions = {}): TSolverSchedule {
  if (!Number.isInteger(nfe) || nfe < 1) throw new RangeError(`nfe must be a positive integer, got ${nfe}`);
  const noiseSchedule = options.noiseSchedule ?? 'vp-linear';
  const spacing = options.spacing ?? 'logSNR';
  const spaced = (steps: number): TTimestepsSpec => ({
    spacing, steps, tStart: options.tStart, tEnd: options.tEnd, ...(spacing === 'karras' ? { rho: options.rho } : {}),
  });
  let timesteps: TTimestepsSpec = spaced(nfe);
  let steps: TStepDecisionInput[];

  switch (preset) {
    case 'ddim':
      steps = Array.from({ length: nfe }, () => ({ prediction: 'noise', order: 1 }));
      break;

    case 'dpm-solver-2':
    case 'dpm-solver-3': {
      const orders = singlestepOrders(nfe, preset === 'dpm-solver-2' ? 2 : 3);
      const rule = options.intermediatePoints ?? 'spacing';
      if (!(INTERMEDIATE_RULES as readonly string[]).includes(rule)) {
        throw new RangeError(`intermediatePoints must be one of ${INTERMEDIATE_RULES.join(', ')}, got "${String(rule)}"`);
      }
      if (spacing === 'logSNR') {
        timesteps = spaced(orders.length);
        steps = orders.map((o) => singlestepDecision(o, LAMBDA_FRACTIONS[o]));
      } else {
        // DPM-Solver: outer steps are a subset of the nfe-step grid, at the cumulative orders.
        const noise = getNoiseSchedule(noiseSchedule);
        const fine = makeTimesteps(noise, { spacing, steps: nfe, tStart: options.tStart, tEnd: options.tEnd, rho: options.rho });
        const values = [fine[0]];
        let at = 0;
        for (const o of orders) values.push(fine[(at += o)]);
        timesteps = { spacing: 'explicit', values };
        steps = orders.map((o, i) => singlestepDecision(o, singlestepFractions(noise, spacing, values[i], values[i + 1], o, rule, options.rho)));
      }
      break;
    }

    case 'dpmpp-2m':
    case 'dpmpp-3m':
    case 'dpmpp-3m-exact': {
      const order = preset === 'dpmpp-2m' ? 2 : 3;
      const third: TRelaxation = preset === 'dpmpp-3m' ? 'dpmsolver-3m' : 'none';
      const orders = multistepOrders(nfe, order, options.lowerOrderFinal ?? nfe < 10);
      steps = orders.map((o) => ({
        prediction: 'data',
        order: o,
        derivativePoints: prevPoints(o - 1),
        relaxation: o === 2 ? 'dpmsolver-2' : o === 3 ? third : 'none',
      }));
      break;
    }

    case 'unipc-bh1':
    case 'unipc-bh1-noc':
    case 'unipc-bh2':
    case 'unipc-bh2-noc': {
      const order = options.order ?? 3;
      if (!Number.isInteger(order) || order < 1 || order > 3) throw new RangeError(`UniPC order must be 1, 2 or 3, got ${order}`);
      const variant: TRelaxation = preset.startsWith('unipc-bh1') ? 'unipc-bh1' : 'unipc-bh2';
      const withCorrector = !preset.endsWith('-noc');
      const orders = multistepOrders(nfe, order, options.lowerOrderFinal ?? true);
      steps = orders.map((o, i) => {
        const corrector = withCorrector && i < nfe - 1;
        // B(h) only survives in UniPC's order-2 updates: UniP-2 and UniC-1 (a corrected order-1 step).
        const relaxed = o === 2 || (o === 1 && corrector);
        return { prediction: 'data', order: o, derivativePoints: prevPoints(o - 1), relaxation: relaxed ? variant : 'none', corrector };
      });
      break;
    }

    case 'deis-tab1':
    case 'deis-tab2':
    case 'deis-tab3': {
      // DEIS tAB-k: eps extrapolated by a degree-k polynomial in t through the current and k past
      // evaluations (k = 0 is DDIM), integrated exactly against the exponential weight.
      const k = Number(preset.slice(-1));
      steps = Array.from({ length: nfe }, (_, i) => {
        const o = Math.min(i, k) + 1;
        return { prediction: 'noise', order: o, derivativePoints: prevPoints(o - 1), interpolation: 'time' };
      });
      break;
    }

    default:
      throw new RangeError(`unknown preset "${String(preset)}"; use one of ${PRESET_NAMES.join(', ')}`);
  }

  const doc: TSolverScheduleInput = { noiseSchedule, timesteps, steps };
  return ZSolverSchedule.parse(doc);
}
