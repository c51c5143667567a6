import { solveDense } from './coefficients';
import type { Denoiser, FloatArray } from './denoiser';
import { emsLambdas, type EmpiricalModelStatistics } from './ems';
import { getNoiseSchedule, type NoiseSchedule } from './noise-schedules';
import { makeTimesteps, type SpacingName } from './spacings';
import { V3_COEFFICIENT_VECTORS } from './wasm/solver-kernels-wat';
import { sampleV3Float32, v3KernelFits, V3_VECTORS, type V3Program } from './wasm/solver-passes';

/**
 * DPM-Solver-v3 (Zheng et al. 2023): multistep predictor plus pseudo-order corrector in the
 * EMS parameterization (ems.ts). With f = (sigma eps - l x) / alpha and
 *   g(lambda) = e^{-int_s^lambda s} f - int_s^lambda e^{-int_s^r s} b dr,
 * the exact solution from s to t is
 *   x_t = alpha_t e^{-int_s^t l} [ x_s / alpha_s - int_s^t e^{int_s^lambda (l + s)} g(lambda) dlambda ],
 * and g, which the EMS make as flat as the model allows, is expanded in lambda around s.
 *
 * This is not a USF schedule: l, s and b are per dimension, so every coefficient is a vector over
 * dimensions, not a scalar. It is its own solver path, written after the official algorithm
 * (thu-ml/DPM-Solver-v3, DPM_Solver_v3.sample): timesteps snapped to the EMS grid, warm-up orders
 * 1, 2, ..., lower order at the end, a predictor of order p from the current and p - 1 previous
 * evaluations (derivatives of g from the Vandermonde system, or divided differences when
 * pseudo), and before each predictor (from the second step on) a corrector of order p_prev + 1
 * that recomputes x_i from x_{i-1} with the new evaluation at the uncorrected x_i, keeping that
 * evaluation's N = sigma eps - l x fixed (no extra model call). The integrals are trapezoid sums
 * over the EMS grid as in the official code; `refine` > 1 subdivides each grid interval (l, s, b
 * linear in between) for smaller quadrature error.
 *
 * Every coefficient is precomputed by `planDpmSolverV3`; a step is then one pass
 * x_t = A x_s + sum_j P_j N_j + Q over the batch (A, P_j, Q vectors over dimensions).
 */

export interface DpmSolverV3Options {
  /** Number of steps (= model evaluations). */
  nfe: number;
  /** Default `logSNR`; the times are snapped to the nearest EMS grid point. */
  spacing?: SpacingName;
  /** Karras rho (karras spacing only; default 7). */
  rho?: number;
  /** Predictor order (1-3, default 3). */
  order?: number;
  /** Predictor derivatives by divided differences (default false, as the official default). */
  predictorPseudo?: boolean;
  /** Run the corrector (default true). */
  corrector?: boolean;
  /** Corrector with pseudo order (default true: the official `c_pseudo`). */
  correctorPseudo?: boolean;
  /** Lower the order of the last steps (default true). */
  lowerOrderFinal?: boolean;
  /** Trapezoid sub-intervals per EMS grid interval (default 1: the official quadrature). */
  refine?: number;
}

interface V3Update {
  /** History slots used, slot 0 = the update's start point. */
  points: number[];
  A: Float64Array;
  P: Float64Array[];
  Q: Float64Array;
}

export interface DpmSolverV3Plan {
  ems: EmpiricalModelStatistics;
  noise: NoiseSchedule;
  timesteps: number[];
  /** EMS grid index of each timestep. */
  indexes: number[];
  /** Per step: the corrector of x_i (null when off) and the predictor to t_{i+1}. */
  steps: Array<{ corrector: V3Update | null; predictor: V3Update }>;
  nfe: number;
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/** Weights w[m-1][j] with g^(m) ~ sum_j w[m-1][j] g_j, m = 1..n, points j = 0..n at lambdas `lam`. */
export function derivativeWeights(lam: number[], pseudo: boolean): number[][] {
  const n = lam.length - 1;
  if (n === 0) return [];
  if (pseudo) {
    // Newton divided differences of the unit vectors; D[i][0] * i! stands in for the i-th derivative.
    let D: number[][] = lam.map((_, j) => lam.map((__, q) => (q === j ? 1 : 0)));
    const out: number[][] = [];
    for (let i = 1; i <= n; i++) {
      const next: number[][] = [];
      for (let j = 0; j + i <= n; j++) next.push(D[j].map((v, q) => (v - D[j + 1][q]) / (lam[j] - lam[i + j])));
      D = next;
      out.push(D[0].map((v) => v * factorial(i)));
    }
    return out;
  }
  // (g_j - g_0) = sum_m c_m (lam_j - lam_0)^m, g^(m) = m! c_m.
  const out: number[][] = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (let j = 1; j <= n; j++) {
    const rhs = Array.from({ length: n }, (_, q) => (q === j - 1 ? 1 : 0));
    // Column j of R^{-1}: solve R c = e_j, R[q][m] = (lam_{q+1} - lam_0)^(m+1).
    const R = Array.from({ length: n }, (_, q) => Array.from({ length: n }, (__, m) => (lam[q + 1] - lam[0]) ** (m + 1)));
    const c = solveDense(R, rhs);
    for (let m = 0; m < n; m++) {
      out[m][j] += c[m] * factorial(m + 1);
      out[m][0] -= c[m] * factorial(m + 1);
    }
  }
  return out;
}

/**
 * Coefficients of one update from grid index `iS` to `iT` with points at grid indexes `idx`
 * (idx[0] = iS), derivative weights `w`.
 */
function planUpdate(ems: EmpiricalModelStatistics, noise: NoiseSchedule, grid: Float64Array, idx: number[], iT: number, w: number[][], refine: number): Omit<V3Update, 'points'> {
  const dim = ems.dim;
  const iS = idx[0];
  const lo = Math.min(...idx), hi = iT;
  // Walk points: the refined grid from lo to hi.
  const P = (hi - lo) * refine + 1;
  const lam = new Float64Array(P);
  const segLo = new Int32Array(P), frac = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const k = lo + Math.floor(p / refine), u = k === hi ? 0 : (p % refine) / refine;
    segLo[p] = k;
    frac[p] = u;
    lam[p] = u === 0 ? grid[k] : grid[k] + u * (grid[k + 1] - grid[k]);
  }
  const pos = (k: number) => (k - lo) * refine;
  const pS = pos(iS), pT = pos(iT);
  const lamS = grid[iS];
  const tS = noise.inverseLambda(grid[iS]), tT = noise.inverseLambda(grid[iT]);
  const alphaS = noise.alpha(tS), alphaT = noise.alpha(tT);
  const alphas = idx.map((k) => noise.alpha(noise.inverseLambda(grid[k])));
  const n = idx.length - 1;
  const ord = w.length; // derivative terms
  const A = new Float64Array(dim), Q = new Float64Array(dim);
  const Pj = idx.map(() => new Float64Array(dim));
  const val = (arr: Float64Array, p: number, d: number) => {
    const k = segLo[p], u = frac[p];
    return u === 0 ? arr[k * dim + d] : (1 - u) * arr[k * dim + d] + u * arr[(k + 1) * dim + d];
  };
  const ell = new Float64Array(P), sig = new Float64Array(P), beta = new Float64Array(P), ex = new Float64Array(P);
  const powTerms = Array.from({ length: ord }, (_, m) => {
    const out = new Float64Array(P);
    for (let p = 0; p < P; p++) out[p] = (lam[p] - lamS) ** (m + 1) / factorial(m + 1);
    return out;
  });
  for (let d = 0; d < dim; d++) {
    // Cumulative integrals of l and s from lo (trapezoid: exact for the linear pieces), made relative to s.
    ell[0] = 0; sig[0] = 0;
    for (let p = 1; p < P; p++) {
      const dl = lam[p] - lam[p - 1];
      ell[p] = ell[p - 1] + 0.5 * dl * (val(ems.l, p, d) + val(ems.l, p - 1, d));
      sig[p] = sig[p - 1] + 0.5 * dl * (val(ems.s, p, d) + val(ems.s, p - 1, d));
    }
    const ellS = ell[pS], sigS = sig[pS];
    for (let p = 0; p < P; p++) { ell[p] -= ellS; sig[p] -= sigS; }
    // beta(lambda) = int_s^lambda e^{-sig} b.
    beta[0] = 0;
    let prev = Math.exp(-sig[0]) * val(ems.b, 0, d);
    for (let p = 1; p < P; p++) {
      const cur = Math.exp(-sig[p]) * val(ems.b, p, d);
      beta[p] = beta[p - 1] + 0.5 * (lam[p] - lam[p - 1]) * (cur + prev);
      prev = cur;
    }
    const betaS = beta[pS];
    for (let p = 0; p < P; p++) beta[p] -= betaS;
    for (let p = pS; p <= pT; p++) ex[p] = Math.exp(ell[p] + sig[p]);
    let I = 0, C = 0;
    const E = new Float64Array(ord);
    for (let p = pS + 1; p <= pT; p++) {
      const dl = 0.5 * (lam[p] - lam[p - 1]);
      I += dl * (ex[p] + ex[p - 1]);
      C += dl * (ex[p] * beta[p] + ex[p - 1] * beta[p - 1]);
      for (let m = 0; m < ord; m++) E[m] += dl * (ex[p] * powTerms[m][p] + ex[p - 1] * powTerms[m][p - 1]);
    }
    const pref = alphaT * Math.exp(-ell[pT]);
    A[d] = pref / alphaS;
    let q = -C;
    for (let j = 0; j <= n; j++) {
      let G = j === 0 ? -I : 0;
      for (let m = 0; m < ord; m++) G -= E[m] * w[m][j];
      const pj = pos(idx[j]);
      // g_j = e^{-sig_j} N_j / alpha_j - beta_j
      Pj[j][d] = (pref * G * Math.exp(-sig[pj])) / alphas[j];
      q -= G * beta[pj];
    }
    Q[d] = pref * q;
  }
  return { A, P: Pj, Q };
}

export function planDpmSolverV3(ems: EmpiricalModelStatistics, options: DpmSolverV3Options, noise: NoiseSchedule = getNoiseSchedule(ems.noiseSchedule)): DpmSolverV3Plan {
  const nfe = options.nfe;
  if (!Number.isInteger(nfe) || nfe < 1) throw new RangeError(`nfe must be a positive integer, got ${nfe}`);
  if (noise.name !== ems.noiseSchedule) throw new RangeError(`the EMS were computed for ${ems.noiseSchedule} but the sampler was given ${noise.name}`);
  const order = options.order ?? 3;
  if (!Number.isInteger(order) || order < 1 || order > 3) throw new RangeError(`order must be 1, 2 or 3, got ${order}`);
  const refine = options.refine ?? 1;
  if (!Number.isInteger(refine) || refine < 1) throw new RangeError(`refine must be a positive integer, got ${refine}`);
  const grid = emsLambdas(ems, noise);
  const spacing = options.spacing ?? 'logSNR';
  const raw = makeTimesteps(noise, { spacing, steps: nfe, tStart: ems.tStart, tEnd: ems.tEnd, rho: options.rho });
  // The official convert_to_indexes: nearest grid point in lambda.
  const indexes = raw.map((t) => Math.round((ems.steps * (noise.lambda(t) - grid[0])) / (grid[ems.steps] - grid[0])));
  for (let i = 1; i < indexes.length; i++) {
    if (!(indexes[i] > indexes[i - 1])) {
      throw new RangeError(`nfe ${nfe} with ${spacing} spacing puts two timesteps on the same EMS grid point (the EMS have ${ems.steps} intervals); compute the EMS on a finer grid (steps) or lower nfe`);
    }
  }
  const timesteps = indexes.map((k) => noise.inverseLambda(grid[k]));
  const useCorrector = options.corrector ?? true;
  const pPseudo = options.predictorPseudo ?? false, cPseudo = options.correctorPseudo ?? true;
  const lowerFinal = options.lowerOrderFinal ?? true;

  const steps: DpmSolverV3Plan['steps'] = [];
  let prevOrder = 0;
  for (let i = 0; i < nfe; i++) {
    let corrector: V3Update | null = null;
    const cOrder = prevOrder + 1;
    if (useCorrector && i >= 1 && cOrder > 1) {
      // Points: x_{i-1} (start), x_i, then x_{i-2}, ...; slots count back from the newest evaluation.
      const points = [1, 0, ...Array.from({ length: cOrder - 2 }, (_, k) => k + 2)];
      const idx = points.map((sl) => indexes[i - sl]);
      corrector = { points, ...planUpdate(ems, noise, grid, idx, indexes[i], derivativeWeights(idx.map((k) => grid[k]), cPseudo), refine) };
    }
    let pOrder = Math.min(order, i + 1);
    if (lowerFinal) pOrder = Math.min(pOrder, nfe - i);
    const points = Array.from({ length: pOrder }, (_, k) => k);
    const idx = points.map((sl) => indexes[i - sl]);
    const predictor = { points, ...planUpdate(ems, noise, grid, idx, indexes[i + 1], derivativeWeights(idx.map((k) => grid[k]), pPseudo), refine) };
    steps.push({ corrector, predictor });
    prevOrder = pOrder;
  }
  return { ems, noise, timesteps, indexes, steps, nfe };
}

type ModelSpec =
  | { model: Denoiser<Float32Array>; modelInput?: 'float32' }
  | { model: Denoiser<Float64Array>; modelInput: 'float64' };

export type SampleDpmSolverV3Options = ModelSpec & {
  xT: FloatArray;
  batch: number;
  dim: number;
  plan: DpmSolverV3Plan;
  out?: Float64Array;
  /**
   * `float64` (default): JavaScript passes over float64 state. `float32`: what the workers run,
   * the state and the stored N in float32 and each step one WebAssembly pass (v3step) with every
   * per-dimension coefficient precomputed (v3Program); float64 models and odd dims keep float64.
   */
  state?: 'float32' | 'float64';
};

const programs = new WeakMap<DpmSolverV3Plan, V3Program>();

/**
 * A plan's coefficients as the v3step kernel reads them, computed once per plan: for step i the
 * vectors L (the EMS l at t_i), the corrector's cX, cA, cQ and C0-C3 (weights of N_i and of the
 * three previous N), the predictor's pA, pQ and P0-P2.
 */
export function v3Program(plan: DpmSolverV3Plan): V3Program {
  let program = programs.get(plan);
  if (program) return program;
  const dim = plan.ems.dim, V = V3_VECTORS;
  const coefficients = new Float64Array(plan.nfe * V * dim);
  const vec = (i: number, name: (typeof V3_COEFFICIENT_VECTORS)[number]) => {
    const k = V3_COEFFICIENT_VECTORS.indexOf(name);
    return coefficients.subarray((i * V + k) * dim, (i * V + k + 1) * dim);
  };
  const slotVec = ['C0', 'C1', 'C2', 'C3'] as const, predVec = ['P0', 'P1', 'P2'] as const;
  plan.steps.forEach(({ corrector: c, predictor: p }, i) => {
    vec(i, 'L').set(plan.ems.l.subarray(plan.indexes[i] * dim, (plan.indexes[i] + 1) * dim));
    if (c) {
      vec(i, 'cA').set(c.A);
      vec(i, 'cQ').set(c.Q);
      c.points.forEach((slot, j) => {
        const into = vec(i, slotVec[slot]);
        for (let d = 0; d < dim; d++) into[d] += c.P[j][d];
      });
    } else {
      vec(i, 'cX').fill(1);
    }
    vec(i, 'pA').set(p.A);
    vec(i, 'pQ').set(p.Q);
    p.points.forEach((slot, j) => {
      const into = vec(i, predVec[slot]);
      for (let d = 0; d < dim; d++) into[d] += p.P[j][d];
    });
  });
  program = { dim, nfe: plan.nfe, timesteps: plan.timesteps, sigmas: plan.timesteps.map((t) => plan.noise.sigma(t)), coefficients };
  programs.set(plan, program);
  return program;
}

/** Samples x_0 (at the last snapped timestep) from x_T; the model gets float32 unless modelInput is float64. */
export async function sampleDpmSolverV3(opts: SampleDpmSolverV3Options): Promise<{ x0: Float64Array; nfe: number }> {
  const { plan, batch, dim } = opts;
  if (dim !== plan.ems.dim) throw new RangeError(`the EMS are for dim ${plan.ems.dim}, got dim ${dim}`);
  const n = batch * dim;
  if (opts.xT.length !== n) throw new RangeError(`xT has ${opts.xT.length} values, expected batch * dim = ${n}`);
  const f64 = opts.modelInput === 'float64';
  if (opts.state === 'float32' && !f64 && v3KernelFits(dim, batch, plan.nfe)) {
    const x0 = opts.out ?? new Float64Array(n);
    const nfe = await sampleV3Float32(opts.model as Denoiser<Float32Array>, v3Program(plan), opts.xT, batch, x0);
    return { x0, nfe };
  }
  const { ems, noise, timesteps, indexes } = plan;
  const hist: Float64Array[] = []; // N of the newest evaluations, hist[0] newest
  let x = Float64Array.from(opts.xT);
  let xPrev = new Float64Array(n);
  const in32 = f64 ? null : new Float32Array(n);
  const maxHist = 4; // order-3 predictor: the order-4 corrector reads x_{i-1}, x_i, x_{i-2}, x_{i-3}
  let calls = 0;
  if (in32) in32.set(x);
  for (let i = 0; i < plan.nfe; i++) {
    const t = timesteps[i];
    const eps: FloatArray = f64 ? await (opts.model as Denoiser<Float64Array>)(x, t, batch) : await (opts.model as Denoiser<Float32Array>)(in32!, t, batch);
    calls++;
    if (eps.length !== n) throw new RangeError(`model returned ${eps.length} values for an input of ${n}`);
    const sigma = noise.sigma(t);
    const lRow = ems.l.subarray(indexes[i] * dim, (indexes[i] + 1) * dim);
    const N = hist.length === maxHist ? hist.pop()! : new Float64Array(n);
    hist.unshift(N);
    const { corrector: c, predictor: p } = plan.steps[i];
    const cF = c ? c.points.map((sl) => hist[sl]) : [], cP = c ? c.P : [];
    const pF = p.points.map((sl) => hist[sl]), pP = p.P;
    const nc = cF.length, np = pF.length;
    // One fused pass per step, elementwise: N_i from the uncorrected x_i, the corrector (reads
    // x_{i-1}), the predictor from the corrected x_i, and the float32 model input. The corrected x_i
    // overwrites x (it is the next x_{i-1}); x_{i+1} overwrites x_{i-1}, already read.
    for (let r = 0; r < batch; r++) {
      const o0 = r * dim;
      for (let d = 0; d < dim; d++) {
        const o = o0 + d;
        const xi = x[o];
        N[o] = sigma * eps[o] - lRow[d] * xi;
        let xc = xi;
        if (c) {
          xc = c.A[d] * xPrev[o] + c.Q[d];
          for (let j = 0; j < nc; j++) xc += cP[j][d] * cF[j][o];
        }
        let xn = p.A[d] * xc + p.Q[d];
        for (let j = 0; j < np; j++) xn += pP[j][d] * pF[j][o];
        x[o] = xc;
        xPrev[o] = xn;
      }
    }
    [x, xPrev] = [xPrev, x];
    if (in32) in32.set(x);
  }
  const x0 = opts.out ?? new Float64Array(n);
  x0.set(x);
  return { x0, nfe: calls };
}
