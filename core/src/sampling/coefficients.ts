import { logAlphaFromLambda, type NoiseSchedule } from './noise-schedules';
import type { TInterpolation, TPrediction, TRelaxation } from './schedule';

/**
 * Scalar coefficients of one exponential-integrator update (DESIGN section 5), all in float64.
 *
 * From s to t with h = lambda_t - lambda_s, the model output f (eps in noise form, x0 in data
 * form) is replaced by the polynomial P through the start point and the derivative points, and
 *   noise form  x_t = (alpha_t/alpha_s) x_s - sigma_t sum_k h^{k+1} phi_{k+1}(h)  P^{(k)}(lambda_s)
 *   data form   x_t = (sigma_t/sigma_s) x_s + alpha_t sum_k h^{k+1} phi_{k+1}(-h) P^{(k)}(lambda_s)
 * truncated at k < order. Writing P(lambda_s + r h) = sum_m c_m r^m makes h^k P^{(k)} = k! c_m, and
 * the c_m are linear in the point values, so the whole update collapses to
 *   x_t = xCoef x_s + startWeight f_s + sum_k pointWeights[k] f_k
 * which is what the sampler applies to the buffers in a single fused pass.
 */

/** phi_1(z) .. phi_count(z), phi_{k+1}(z) = (phi_k(z) - 1/k!)/z, accurate for small |z| too. */
export function phiFunctions(z: number, count: number): Float64Array {
  const out = new Float64Array(count);
  if (Math.abs(z) < 2) {
    // phi_k(z) = sum_j z^j / (j + k)!; 40 terms leave < 1e-30 relative for |z| < 2.
    for (let k = 1; k <= count; k++) {
      let term = 1;
      for (let i = 2; i <= k; i++) term /= i;
      let sum = 0;
      for (let j = 0; j < 40; j++) {
        sum += term;
        term *= z / (j + k + 1);
      }
      out[k - 1] = sum;
    }
    return out;
  }
  let phi = Math.expm1(z) / z;
  let fact = 1;
  for (let k = 1; k <= count; k++) {
    out[k - 1] = phi;
    fact *= k;
    phi = (phi - 1 / fact) / z;
  }
  return out;
}

/** Solve A x = b (n x n, row-major) by Gaussian elimination with partial pivoting. */
export function solveDense(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    if (m[piv][col] === 0) throw new RangeError('solveDense: singular system (two derivative points coincide?)');
    [m[col], m[piv]] = [m[piv], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

const glCache = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/** Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n, Golub-Welsch-free). */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const hit = glCache.get(n);
  if (hit) return hit;
  const nodes = new Float64Array(n), weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * dp * dp);
  }
  const rule = { nodes, weights };
  glCache.set(n, rule);
  return rule;
}

/**
 * Relaxation factor for the first-derivative term of an order-2 update; hh = h (noise form) or
 * -h (data form). `dpmsolver-3m` leaves order-2 updates exact (it acts on order 3, see
 * SECOND_DERIVATIVE_FACTOR).
 */
export function relaxationFactor(relaxation: TRelaxation, h: number, hh: number, coefficient = 0): number {
  switch (relaxation) {
    case 'none':
    case 'dpmsolver-3m':
      return 1;
    case 'linear':
      return 1 + coefficient * h;
    case 'dpmsolver-2':
    case 'unipc-bh2': {
      // h(e^h - 1) / (2(e^h - 1 - h)) = phi_1 / (2 phi_2), written without cancellation.
      const [p1, p2] = phiFunctions(hh, 2);
      return p1 / (2 * p2);
    }
    case 'unipc-bh1': {
      // h^2 / (2(e^h - 1 - h)) = 1 / (2 phi_2)
      const [, p2] = phiFunctions(hh, 2);
      return 1 / (2 * p2);
    }
    default:
      throw new RangeError(`unknown relaxation "${String(relaxation)}"`);
  }
}

export interface NodeInfo {
  t: number;
  lambda: number;
}

export interface UpdateSpec {
  prediction: TPrediction;
  /** Taylor order: number of terms kept (1 = DDIM). */
  order: number;
  interpolation: TInterpolation;
  relaxation: TRelaxation;
  relaxationCoefficient?: number;
  start: NodeInfo;
  target: NodeInfo;
  points: NodeInfo[];
}

export interface UpdateCoefficients {
  xCoef: number;
  startWeight: number;
  pointWeights: number[];
}

/**
 * Moments g_m = weight of c_m (m = 0..n) in the update: the exact integral of the exponential
 * kernel against r^m, zero beyond the Taylor order.
 */
function lambdaMoments(spec: UpdateSpec, n: number, h: number, scale: number, hh: number): number[] {
  const phis = phiFunctions(hh, Math.max(spec.order, 1));
  const g = new Array<number>(n + 1).fill(0);
  let fact = 1;
  for (let m = 0; m <= n && m < spec.order; m++) {
    if (m > 0) fact *= m;
    g[m] = scale * fact * h * phis[m];
  }
  if (spec.order === 2 && n >= 1) g[1] *= relaxationFactor(spec.relaxation, h, hh, spec.relaxationCoefficient);
  if (spec.order === 3 && n >= 2 && spec.relaxation === 'dpmsolver-3m') g[2] *= SECOND_DERIVATIVE_FACTOR;
  return g;
}

/**
 * Weight of the second-derivative term under `dpmsolver-3m`, relative to the exact one. The
 * official multistep third-order update (DPM-Solver's multistep_dpm_solver_third_update, also
 * diffusers' DPMSolverMultistepScheduler) forms D1 = h P'(lambda_s) and D2 = h^2 P''(lambda_s) / 2
 * from the quadratic P through its three points, then adds phi_2-weighted D1 and phi_3-weighted D2
 * as if D2 were h^2 P''. Taylor's term is h^3 phi_3(h) P'': the official update keeps half of it.
 * Its local error is then O(h^3), so DPM-Solver++(3M) as published converges at order 2 (with a
 * small constant); `relaxation: none` gives the exact third-order method.
 */
export const SECOND_DERIVATIVE_FACTOR = 0.5;

/**
 * Same moments when the polynomial is in normalized time u = (t - t_s)/(t_t - t_s) (DEIS tAB):
 *   noise  -sigma_t int_0^h e^{h-v} u(v)^m dv,   data  alpha_t int_0^h e^{-(h-v)} u(v)^m dv,
 * by composite Gauss-Legendre in v = lambda - lambda_s, with t(lambda) from the schedule.
 */
function timeMoments(spec: UpdateSpec, noise: NoiseSchedule, n: number, h: number, scale: number): number[] {
  const g = new Array<number>(n + 1).fill(0);
  const mMax = Math.min(n, spec.order - 1);
  const { nodes, weights } = gaussLegendre(12);
  const panels = Math.max(1, Math.ceil(Math.abs(h) / 0.25));
  const width = h / panels;
  const tS = spec.start.t, dt = spec.target.t - spec.start.t;
  const sign = spec.prediction === 'noise' ? 1 : -1;
  for (let p = 0; p < panels; p++) {
    const v0 = p * width;
    for (let q = 0; q < nodes.length; q++) {
      const v = v0 + ((nodes[q] + 1) / 2) * width;
      const u = (noise.inverseLambda(spec.start.lambda + v) - tS) / dt;
      const kernel = Math.exp(sign * (h - v)) * weights[q] * (width / 2);
      let um = 1;
      for (let m = 0; m <= mMax; m++) {
        g[m] += kernel * um;
        um *= u;
      }
    }
  }
  for (let m = 0; m <= mMax; m++) g[m] *= scale;
  return g;
}

export function updateCoefficients(noise: NoiseSchedule, spec: UpdateSpec): UpdateCoefficients {
  const n = spec.points.length;
  if (n < spec.order - 1) throw new RangeError(`order ${spec.order} needs ${spec.order - 1} derivative points, got ${n}`);
  const { start, target } = spec;
  const h = target.lambda - start.lambda;
  const logAlphaS = logAlphaFromLambda(start.lambda), logAlphaT = logAlphaFromLambda(target.lambda);
  const alphaT = Math.exp(logAlphaT), sigmaT = Math.exp(logAlphaT - target.lambda);
  const noiseForm = spec.prediction === 'noise';
  const xCoef = noiseForm ? Math.exp(logAlphaT - logAlphaS) : Math.exp(logAlphaT - target.lambda - (logAlphaS - start.lambda));
  const scale = noiseForm ? -sigmaT : alphaT;

  let g: number[];
  let r: number[];
  if (spec.interpolation === 'lambda') {
    g = lambdaMoments(spec, n, h, scale, noiseForm ? h : -h);
    r = spec.points.map((p) => (p.lambda - start.lambda) / h);
  } else {
    g = timeMoments(spec, noise, n, h, scale);
    const dt = target.t - start.t;
    r = spec.points.map((p) => (p.t - start.t) / dt);
  }
  if (n === 0) return { xCoef, startWeight: g[0], pointWeights: [] };
  // c = V^{-1} (f - f_s) with V[k][m] = r_k^(m+1); weights w solve V^T w = g[1..n].
  const vt = Array.from({ length: n }, (_, m) => r.map((rk) => rk ** (m + 1)));
  const w = solveDense(vt, g.slice(1));
  let sum = 0;
  for (const wk of w) sum += wk;
  return { xCoef, startWeight: g[0] - sum, pointWeights: w };
}
