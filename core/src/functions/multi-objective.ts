/**
 * Standard two-objective test problems (both minimised on [0,1]^d), with the reference points
 * and maximal hypervolumes BoTorch uses for them, so figures compare with published ones.
 */

export interface MultiObjectiveFunction {
  readonly name: 'branin_currin' | 'zdt1';
  readonly dim: number;
  readonly objectives: number;
  /** Reference point for the hypervolume (worse than every Pareto-optimal point). */
  readonly reference: readonly number[];
  /** Hypervolume of the true Pareto front w.r.t. the reference point. */
  readonly maxHypervolume: number;
  evaluate(u: ArrayLike<number>): number[];
}

/** Branin (rescaled to [0,1]^2) and Currin's exponential function (Belakaria et al. 2019). */
export const BRANIN_CURRIN: MultiObjectiveFunction = {
  name: 'branin_currin',
  dim: 2,
  objectives: 2,
  reference: [18, 6],
  maxHypervolume: 59.36011874867746,
  evaluate(u) {
    const x1 = 15 * u[0] - 5, x2 = 15 * u[1];
    const b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, t = 1 / (8 * Math.PI);
    const branin = (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
    const a = u[0], y = Math.max(u[1], 1e-12);
    const currin = (1 - Math.exp(-1 / (2 * y))) * (2300 * a ** 3 + 1900 * a ** 2 + 2092 * a + 60) / (100 * a ** 3 + 500 * a ** 2 + 4 * a + 20);
    return [branin, currin];
  },
};

/** ZDT1 (Zitzler, Deb & Thiele 2000): convex front f2 = 1 - sqrt(f1) where x_2.. = 0. */
export function zdt1(dim: number): MultiObjectiveFunction {
  if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`zdt1: dimension must be an integer >= 2, got ${dim}`);
  return {
    name: 'zdt1',
    dim,
    objectives: 2,
    reference: [11, 11],
    maxHypervolume: 121 - 1 / 3,
    evaluate(u) {
      let s = 0;
      for (let i = 1; i < dim; i++) s += u[i];
      const g = 1 + (9 * s) / (dim - 1);
      return [u[0], g * (1 - Math.sqrt(u[0] / g))];
    },
  };
}

/**
 * The multi-output test functions a `function` objective can name. Each evaluates to one value
 * per output, named f1, f2, ... (the metrics a multi-objective study lists under `objectives`).
 */
export const MO_FUNCTION_NAMES = ['branin_currin', 'zdt1'] as const;
export type MoFunctionName = (typeof MO_FUNCTION_NAMES)[number];

export const isMoFunctionName = (name: string): name is MoFunctionName => (MO_FUNCTION_NAMES as readonly string[]).includes(name);

/** ZDT1's dimension when a study does not set `dim` (the usual benchmark takes 30; 6 keeps studies quick). */
export const ZDT1_DEFAULT_DIM = 6;

/** The function for a study: branin_currin has dimension 2; zdt1 takes `dim` (>= 2, default 6). */
export function getMoFunction(name: MoFunctionName, dim?: number): MultiObjectiveFunction {
  return name === 'branin_currin' ? BRANIN_CURRIN : zdt1(dim ?? ZDT1_DEFAULT_DIM);
}

/** Output names of a multi-output function, in evaluation order: f1, f2, ... */
export function moOutputNames(fn: Pick<MultiObjectiveFunction, 'objectives'>): string[] {
  return Array.from({ length: fn.objectives }, (_, k) => `f${k + 1}`);
}

/** Output names of a multi-output function by name (they do not depend on its dimension). */
export function moFunctionOutputs(name: MoFunctionName): string[] {
  return moOutputNames(name === 'branin_currin' ? BRANIN_CURRIN : { objectives: 2 });
}
