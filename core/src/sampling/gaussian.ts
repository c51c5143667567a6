import { CounterRng } from '../rng';
import type { Denoiser, FloatArray } from './denoiser';
import type { NoiseSchedule } from './noise-schedules';

/**
 * Float64 analytic data distributions with exact denoisers (DESIGN section 4): the references the
 * solvers are tested against and the ground truth the ONNX-built GMM is checked against.
 * With x_t = a x_0 + s e, an isotropic component N(mu, s0^2 I) becomes N(a mu, v I), v = a^2 s0^2 + s^2.
 */

function alphaSigma(noise: NoiseSchedule, t: number): [number, number] {
  const logA = noise.logAlpha(t);
  return [Math.exp(logA), Math.sqrt(-Math.expm1(2 * logA))];
}

// ---------------------------------------------------------------------------------------------
// Single isotropic Gaussian: closed-form probability-flow solution.

export interface IsotropicGaussian {
  mean: Float64Array;
  std: number;
}

export function isotropicGaussian(mean: ArrayLike<number>, std: number): IsotropicGaussian {
  if (!(std > 0)) throw new RangeError(`std must be positive, got ${std}`);
  return { mean: Float64Array.from(mean), std };
}

/** eps(x, t) = s (x - a mu) / (a^2 s0^2 + s^2), rows of x are samples. */
export function gaussianEps(g: IsotropicGaussian, x: FloatArray, alpha: number, sigma: number, out = new Float64Array(x.length)): Float64Array {
  const d = g.mean.length;
  if (x.length % d !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of dim ${d}`);
  const c = sigma / (alpha * alpha * g.std * g.std + sigma * sigma);
  for (let i = 0; i < x.length; i++) out[i] = c * (x[i] - alpha * g.mean[i % d]);
  return out;
}

export function gaussianDenoiser<X extends FloatArray = Float64Array>(g: IsotropicGaussian, noise: NoiseSchedule): Denoiser<X> {
  return (x, t) => {
    const [a, s] = alphaSigma(noise, t);
    return gaussianEps(g, x, a, s);
  };
}

/**
 * Exact probability-flow ODE map from tFrom to tTo:
 *   x_t = a_t mu + sqrt(v(t)/v(tFrom)) (x_tFrom - a_tFrom mu),  v(t) = a_t^2 s0^2 + s_t^2.
 */
export function gaussianFlowSolution(g: IsotropicGaussian, noise: NoiseSchedule, x: FloatArray, tFrom: number, tTo: number): Float64Array {
  const d = g.mean.length;
  const [a0, s0] = alphaSigma(noise, tFrom), [a1, s1] = alphaSigma(noise, tTo);
  const var0 = g.std * g.std;
  const ratio = Math.sqrt((a1 * a1 * var0 + s1 * s1) / (a0 * a0 * var0 + s0 * s0));
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const m = g.mean[i % d];
    out[i] = a1 * m + ratio * (x[i] - a0 * m);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Isotropic Gaussian mixture.

export interface IsotropicGmm {
  dim: number;
  /** Normalized mixture weights, length K. */
  weights: Float64Array;
  /** Component means, [K, dim] row-major. */
  means: Float64Array;
  /** Component variances s_k^2, length K. */
  variances: Float64Array;
}

export interface GmmSpec {
  weights: readonly number[];
  means: readonly (readonly number[])[];
  variances: readonly number[];
}

export function createGmm(spec: GmmSpec): IsotropicGmm {
  const k = spec.weights.length;
  if (k < 1) throw new RangeError('a mixture needs at least one component');
  if (spec.means.length !== k || spec.variances.length !== k) {
    throw new RangeError(`weights (${k}), means (${spec.means.length}) and variances (${spec.variances.length}) must have the same length`);
  }
  const dim = spec.means[0].length;
  if (dim < 1) throw new RangeError('component means need at least one coordinate');
  let total = 0;
  spec.weights.forEach((w, i) => {
    if (!(w > 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} must be positive and finite, got ${w}`);
    total += w;
  });
  const means = new Float64Array(k * dim);
  spec.means.forEach((m, i) => {
    if (m.length !== dim) throw new RangeError(`mean ${i} has ${m.length} coordinates, expected ${dim}`);
    means.set(m, i * dim);
  });
  spec.variances.forEach((v, i) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`variance ${i} must be positive and finite, got ${v}`);
  });
  return { dim, weights: Float64Array.from(spec.weights, (w) => w / total), means, variances: Float64Array.from(spec.variances) };
}

export interface GmmEvaluation {
  /** log p_t(x) per row (length B). */
  logDensity?: Float64Array;
  /** grad_x log p_t(x), [B, dim]. */
  score?: Float64Array;
  /** eps(x, t) = -sigma * score, [B, dim]. */
  eps?: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * One pass over the batch computing what is asked for, with O(B (D + K)) memory: squared
 * distances come from |x|^2 - 2a x.mu_k + a^2 |mu_k|^2 and the softmax over components is taken
 * in log space, so far-away components neither overflow nor underflow.
 */
export function evaluateGmm(gmm: IsotropicGmm, x: FloatArray, alpha: number, sigma: number, want: { logDensity?: boolean; score?: boolean; eps?: boolean }): GmmEvaluation {
  const { dim, weights, means, variances } = gmm;
  const K = weights.length;
  if (x.length % dim !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of dim ${dim}`);
  const B = x.length / dim;
  const res: GmmEvaluation = {};
  if (want.logDensity) res.logDensity = new Float64Array(B);
  if (want.score) res.score = new Float64Array(B * dim);
  if (want.eps) res.eps = new Float64Array(B * dim);

  const v = new Float64Array(K), base = new Float64Array(K), muSq = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    v[k] = alpha * alpha * variances[k] + sigma * sigma;
    base[k] = Math.log(weights[k]) - 0.5 * dim * Math.log(v[k]);
    let s = 0;
    for (let j = 0; j < dim; j++) s += means[k * dim + j] ** 2;
    muSq[k] = s;
  }
  const logit = new Float64Array(K), coef = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const off = b * dim;
    let xSq = 0;
    for (let j = 0; j < dim; j++) xSq += x[off + j] * x[off + j];
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      let dot = 0;
      const mo = k * dim;
      for (let j = 0; j < dim; j++) dot += x[off + j] * means[mo + j];
      const dist2 = Math.max(0, xSq - 2 * alpha * dot + alpha * alpha * muSq[k]);
      logit[k] = base[k] - dist2 / (2 * v[k]);
      if (logit[k] > mx) mx = logit[k];
    }
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(logit[k] - mx);
    const lse = mx + Math.log(z);
    if (res.logDensity) res.logDensity[b] = lse - 0.5 * dim * LOG_2PI;
    if (!res.score && !res.eps) continue;
    // score = -sum_k r_k (x - a mu_k) / v_k = -x sum_k r_k/v_k + a sum_k (r_k/v_k) mu_k
    let sumCoef = 0;
    for (let k = 0; k < K; k++) {
      coef[k] = Math.exp(logit[k] - lse) / v[k];
      sumCoef += coef[k];
    }
    for (let j = 0; j < dim; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += coef[k] * means[k * dim + j];
      const score = -x[off + j] * sumCoef + alpha * acc;
      if (res.score) res.score[off + j] = score;
      if (res.eps) res.eps[off + j] = -sigma * score;
    }
  }
  return res;
}

export function gmmLogDensity(gmm: IsotropicGmm, noise: NoiseSchedule, x: FloatArray, t: number): Float64Array {
  const [a, s] = t === 0 ? [1, 0] : alphaSigma(noise, t);
  return evaluateGmm(gmm, x, a, s, { logDensity: true }).logDensity!;
}

export function gmmScore(gmm: IsotropicGmm, noise: NoiseSchedule, x: FloatArray, t: number): Float64Array {
  const [a, s] = t === 0 ? [1, 0] : alphaSigma(noise, t);
  return evaluateGmm(gmm, x, a, s, { score: true }).score!;
}

export function gmmEps(gmm: IsotropicGmm, noise: NoiseSchedule, x: FloatArray, t: number): Float64Array {
  const [a, s] = alphaSigma(noise, t);
  return evaluateGmm(gmm, x, a, s, { eps: true }).eps!;
}

export function gmmDenoiser<X extends FloatArray = Float64Array>(gmm: IsotropicGmm, noise: NoiseSchedule): Denoiser<X> {
  return (x, t) => gmmEps(gmm, noise, x, t);
}

/**
 * Data draws use streams 2^52 + index so that "data sample i of seed s" is independent of the
 * initial noise initialNoise(s, i), which uses stream i.
 */
export const GMM_DATA_STREAM_OFFSET = 2 ** 52;

/** Exact draw of data sample `index` for `seed`: a pure function of (gmm, seed, index). */
export function sampleGmm(gmm: IsotropicGmm, seed: number, index: number, out = new Float64Array(gmm.dim)): Float64Array {
  const rng = new CounterRng(seed, GMM_DATA_STREAM_OFFSET + index);
  const u = rng.uniform();
  const K = gmm.weights.length;
  let k = 0, cum = gmm.weights[0];
  while (k < K - 1 && u >= cum) cum += gmm.weights[++k];
  const sd = Math.sqrt(gmm.variances[k]);
  for (let j = 0; j < gmm.dim; j++) out[j] = gmm.means[k * gmm.dim + j] + sd * rng.normal();
  return out;
}

/** Samples start..start+count-1 as one [count, dim] array. */
export function sampleGmmBatch(gmm: IsotropicGmm, seed: number, start: number, count: number): Float64Array {
  const out = new Float64Array(count * gmm.dim);
  for (let i = 0; i < count; i++) sampleGmm(gmm, seed, start + i, out.subarray(i * gmm.dim, (i + 1) * gmm.dim));
  return out;
}
