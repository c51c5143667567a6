/**
 * Standard optimisation test functions with their domains and known global minima. They are the
 * `function` objective kind: cheap, exactly known, used to test and benchmark the optimizers.
 */

export interface TestFunction {
  readonly name: TestFunctionName;
  /** Fixed dimension, or null when the function takes any dimension >= minDim. */
  readonly fixedDim: number | null;
  readonly minDim: number;
  readonly defaultDim: number;
  /** Box domain per coordinate. */
  bounds(dim: number): Array<[number, number]>;
  /** Known global minimum value for the dimension. */
  optimum(dim: number): number;
  /** One global minimiser (for tests). */
  argmin(dim: number): number[];
  evaluate(x: ArrayLike<number>): number;
}

export const TEST_FUNCTION_NAMES = [
  'branin', 'hartmann3', 'hartmann6', 'ackley', 'levy', 'rosenbrock', 'styblinski_tang',
  'ackley_shifted', 'levy_shifted', 'styblinski_tang_shifted',
] as const;
export type TestFunctionName = (typeof TEST_FUNCTION_NAMES)[number];

const branin: TestFunction = {
  name: 'branin',
  fixedDim: 2,
  minDim: 2,
  defaultDim: 2,
  bounds: () => [[-5, 10], [0, 15]],
  optimum: () => 0.397887357729738,
  argmin: () => [Math.PI, 2.275],
  evaluate(x) {
    const a = 1, b = 5.1 / (4 * Math.PI ** 2), c = 5 / Math.PI, r = 6, s = 10, t = 1 / (8 * Math.PI);
    const [x1, x2] = [x[0], x[1]];
    return a * (x2 - b * x1 * x1 + c * x1 - r) ** 2 + s * (1 - t) * Math.cos(x1) + s;
  },
};

const H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
const H3_P = [
  [0.3689, 0.117, 0.2673],
  [0.4699, 0.4387, 0.747],
  [0.1091, 0.8732, 0.5547],
  [0.0381, 0.5743, 0.8828],
];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];
const H_ALPHA = [1.0, 1.2, 3.0, 3.2];

function hartmann(A: number[][], P: number[][], x: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < A[i].length; j++) inner += A[i][j] * (x[j] - P[i][j]) ** 2;
    total += H_ALPHA[i] * Math.exp(-inner);
  }
  return -total;
}

const hartmann3: TestFunction = {
  name: 'hartmann3',
  fixedDim: 3,
  minDim: 3,
  defaultDim: 3,
  bounds: () => Array.from({ length: 3 }, () => [0, 1] as [number, number]),
  // The standard table (Dixon & Szego; Surjanovic & Bingham) gives -3.86278 at (0.114614,
  // 0.555649, 0.852547), rounded: this is the minimum of the function with those constants.
  optimum: () => -3.862779787332663,
  argmin: () => [0.1145888649597168, 0.5556488931884765, 0.852546984741211],
  evaluate: (x) => hartmann(H3_A, H3_P, x),
};

const hartmann6: TestFunction = {
  name: 'hartmann6',
  fixedDim: 6,
  minDim: 6,
  defaultDim: 6,
  bounds: () => Array.from({ length: 6 }, () => [0, 1] as [number, number]),
  optimum: () => -3.32236801141551,
  argmin: () => [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
  evaluate: (x) => hartmann(H6_A, H6_P, x),
};

const ackley: TestFunction = {
  name: 'ackley',
  fixedDim: null,
  minDim: 1,
  defaultDim: 5,
  bounds: (d) => Array.from({ length: d }, () => [-32.768, 32.768] as [number, number]),
  optimum: () => 0,
  argmin: (d) => new Array<number>(d).fill(0),
  evaluate(x) {
    const d = x.length;
    let sq = 0, cs = 0;
    for (let i = 0; i < d; i++) {
      sq += x[i] * x[i];
      cs += Math.cos(2 * Math.PI * x[i]);
    }
    return -20 * Math.exp(-0.2 * Math.sqrt(sq / d)) - Math.exp(cs / d) + 20 + Math.E;
  },
};

const levy: TestFunction = {
  name: 'levy',
  fixedDim: null,
  minDim: 1,
  defaultDim: 4,
  bounds: (d) => Array.from({ length: d }, () => [-10, 10] as [number, number]),
  optimum: () => 0,
  argmin: (d) => new Array<number>(d).fill(1),
  evaluate(x) {
    const d = x.length;
    const w = (i: number) => 1 + (x[i] - 1) / 4;
    let total = Math.sin(Math.PI * w(0)) ** 2;
    for (let i = 0; i < d - 1; i++) {
      const wi = w(i);
      total += (wi - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * wi + 1) ** 2);
    }
    const wd = w(d - 1);
    return total + (wd - 1) ** 2 * (1 + Math.sin(2 * Math.PI * wd) ** 2);
  },
};

const rosenbrock: TestFunction = {
  name: 'rosenbrock',
  fixedDim: null,
  minDim: 2,
  defaultDim: 2,
  bounds: (d) => Array.from({ length: d }, () => [-5, 10] as [number, number]),
  optimum: () => 0,
  argmin: (d) => new Array<number>(d).fill(1),
  evaluate(x) {
    let total = 0;
    for (let i = 0; i < x.length - 1; i++) total += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2;
    return total;
  },
};

const STYBLINSKI_TANG_ARGMIN = -2.903534027771178;
const styblinskiTang: TestFunction = {
  name: 'styblinski_tang',
  fixedDim: null,
  minDim: 1,
  defaultDim: 4,
  bounds: (d) => Array.from({ length: d }, () => [-5, 5] as [number, number]),
  optimum: (d) => -39.16616570377142 * d,
  argmin: (d) => new Array<number>(d).fill(STYBLINSKI_TANG_ARGMIN),
  evaluate(x) {
    let total = 0;
    for (let i = 0; i < x.length; i++) total += x[i] ** 4 - 16 * x[i] ** 2 + 5 * x[i];
    return total / 2;
  },
};

/**
 * Where the shifted variants put their minimiser, as a fraction of each coordinate's box (cycled
 * over the coordinates): away from the centre, unequal across coordinates, never on a corner.
 */
export const SHIFTED_OPTIMUM_AT = [0.2, 0.7, 0.3, 0.8, 0.15, 0.65] as const;

/**
 * The base function moved inside its own box: same box, same optimum value, minimiser at
 * SHIFTED_OPTIMUM_AT. Ackley's and Levy's minimisers sit at or next to the box centre (u = 0.5,
 * 0.55), which a model with a preferred point (the centre of the cube) profits from; these
 * variants take that away. Coordinate k evaluates the base at s_k (x_k - o_k): a shift o_k, and for
 * `mirror` a reflection s_k = -1 on the coordinates whose target lies on the other side of the
 * centre from the base minimiser. Styblinski-Tang's minimiser is already off-centre (u = 0.21 on
 * every coordinate, i.e. on the diagonal); mirroring keeps each shift under 1.5 (of a box of 10),
 * so both of its basins per coordinate stay inside the box. The base functions are defined on all
 * of R^d with the same global minimum, which therefore is the shifted variant's minimum too.
 */
function shifted(base: TestFunction, name: TestFunctionName, mirror: boolean): TestFunction {
  const transform = (dim: number) => {
    const bounds = base.bounds(dim), star = base.argmin(dim);
    return bounds.map(([lo, hi], k) => {
      const target = lo + SHIFTED_OPTIMUM_AT[k % SHIFTED_OPTIMUM_AT.length] * (hi - lo);
      const centre = (lo + hi) / 2;
      const sign = mirror && (target - centre) * (star[k] - centre) < 0 ? -1 : 1;
      // base coordinate = sign * (x - offset) must equal star at x = target.
      return { sign, offset: target - sign * star[k], target };
    });
  };
  const cache = new Map<number, ReturnType<typeof transform>>();
  const of = (dim: number) => {
    let t = cache.get(dim);
    if (!t) cache.set(dim, (t = transform(dim)));
    return t;
  };
  return {
    ...base,
    name,
    bounds: (d) => base.bounds(d),
    optimum: (d) => base.optimum(d),
    argmin: (d) => of(d).map((t) => t.target),
    evaluate(x) {
      const t = of(x.length);
      const z = new Array<number>(x.length);
      for (let k = 0; k < x.length; k++) z[k] = t[k].sign * (x[k] - t[k].offset);
      return base.evaluate(z);
    },
  };
}

export const TEST_FUNCTIONS: Record<TestFunctionName, TestFunction> = {
  branin,
  hartmann3,
  hartmann6,
  ackley,
  levy,
  rosenbrock,
  styblinski_tang: styblinskiTang,
  ackley_shifted: shifted(ackley, 'ackley_shifted', false),
  levy_shifted: shifted(levy, 'levy_shifted', false),
  styblinski_tang_shifted: shifted(styblinskiTang, 'styblinski_tang_shifted', true),
};

export function getTestFunction(name: TestFunctionName): TestFunction {
  return TEST_FUNCTIONS[name];
}

/** The dimension to use: the function's fixed one, or the requested one (default if absent). */
export function resolveDim(fn: TestFunction, requested?: number): number {
  if (fn.fixedDim !== null) return fn.fixedDim;
  return requested ?? fn.defaultDim;
}
