import { minimizeLbfgs } from '../optim/lbfgs';
import { CounterRng } from '../rng';
import type { Kernel } from './kernel';
import {
  cholAppend, cholInverse, cholSolveInPlace, choleskyWithJitter, dotRange, solveLowerInPlace, solveLowerTransposeInPlace,
} from './linalg';
import { wasmTriangular } from './wasm/tri-solve';

/**
 * Exact GP regression on standardized outputs: constant mean c, kernel k_theta, homoscedastic
 * noise s2 learned with a prior, plus optional known per-point noise variances (noisy objectives
 * report standard errors). Hyperparameters are fitted by maximising
 *   log p(y | theta) + log p(theta)
 * with L-BFGS on the log scale and analytic gradients
 *   d log p(y|theta) / d theta = 1/2 tr((alpha alpha^T - K^{-1}) dK/dtheta).
 * Full hyperparameter vector: [kernel theta..., log s2, c].
 */

export interface GpData {
  /** n x d row-major, in [0,1]^d. */
  X: Float64Array;
  n: number;
  d: number;
  /** Standardized targets. */
  y: Float64Array;
  /** Known noise variance per point, in standardized units (0 where unknown). */
  knownNoise?: Float64Array;
}

export interface GpFitOptions {
  /** Previous hyperparameters (full vector) to start from. */
  warmStart?: ArrayLike<number> | null;
  /** Number of optimisation starts (default 3 cold, 2 warm). */
  restarts?: number;
  maxIter?: number;
  seed?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
/**
 * Normal prior on the log noise variance (standardized units): median 3e-4, wide enough for both
 * near-interpolation of deterministic objectives (1e-6) and plainly noisy ones (0.1) at about
 * 2.7 nats each. Smaller when the caller already supplies noise variances.
 */
const NOISE_PRIOR: [number, number] = [-8, 2.5];
const NOISE_PRIOR_KNOWN: [number, number] = [Math.log(1e-5), 3];

export interface FullPrior {
  mean: Float64Array;
  sd: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

/** Priors and box of the full vector: kernel part, then log noise, then the constant mean. */
export function gpPrior(kernel: Kernel, hasKnownNoise: boolean): FullPrior {
  const kp = kernel.prior();
  const p = kernel.nParams;
  const mean = new Float64Array(p + 2), sd = new Float64Array(p + 2), lower = new Float64Array(p + 2), upper = new Float64Array(p + 2);
  mean.set(kp.mean); sd.set(kp.sd); lower.set(kp.lower); upper.set(kp.upper);
  mean[p] = hasKnownNoise ? NOISE_PRIOR_KNOWN[0] : NOISE_PRIOR[0];
  sd[p] = hasKnownNoise ? NOISE_PRIOR_KNOWN[1] : NOISE_PRIOR[1];
  lower[p] = Math.log(1e-8);
  upper[p] = Math.log(2);
  mean[p + 1] = 0; sd[p + 1] = 1; lower[p + 1] = -4; upper[p + 1] = 4;
  return { mean, sd, lower, upper };
}

/** Negative log posterior of the hyperparameters with reusable buffers. */
export class GpObjective {
  readonly prior: FullPrior;
  readonly nTheta: number;
  private readonly kmat: Float64Array;
  private readonly chol: Float64Array;
  private readonly w: Float64Array;
  private readonly work: Float64Array;
  private readonly alpha: Float64Array;
  private readonly gk: Float64Array;

  constructor(readonly kernel: Kernel, readonly data: GpData) {
    const n = data.n;
    const hasKnown = !!data.knownNoise && data.knownNoise.some((v) => v > 0);
    this.prior = gpPrior(kernel, hasKnown);
    this.nTheta = kernel.nParams + 2;
    this.kmat = new Float64Array(n * n);
    this.chol = new Float64Array(n * n);
    this.w = new Float64Array(n * n);
    this.work = new Float64Array(n * n);
    this.alpha = new Float64Array(n);
    this.gk = new Float64Array(kernel.nParams);
  }

  /** -(log marginal likelihood + log prior); grad receives its gradient. Infinity if K is singular. */
  evaluate(theta: ArrayLike<number>, grad: Float64Array): number {
    const { kernel, data, kmat, chol, w, work, alpha, gk, prior } = this;
    const n = data.n, p = kernel.nParams;
    kernel.setTheta(theta);
    kernel.matrix(data.X, n, kmat);
    const s2 = Math.exp(theta[p]);
    const c = theta[p + 1];
    w.set(kmat);
    for (let i = 0; i < n; i++) w[i * n + i] += s2 + (data.knownNoise ? data.knownNoise[i] : 0);
    const fac = choleskyWithJitter(w, n, chol);
    if (!fac.ok) {
      grad.fill(0);
      return Infinity;
    }
    for (let i = 0; i < n; i++) alpha[i] = data.y[i] - c;
    let quad = 0;
    cholSolveInPlace(chol, n, alpha);
    for (let i = 0; i < n; i++) quad += (data.y[i] - c) * alpha[i];
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += Math.log(chol[i * n + i]);
    const lml = -0.5 * quad - logDet - 0.5 * n * LOG_2PI;

    // W = alpha alpha^T - K^{-1}.
    cholInverse(chol, n, w, work);
    let traceW = 0, sumAlpha = 0;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i], ri = i * n;
      for (let j = 0; j < n; j++) w[ri + j] = ai * alpha[j] - w[ri + j];
      traceW += w[ri + i];
      sumAlpha += ai;
    }
    gk.fill(0);
    kernel.accumulateGradient(data.X, n, kmat, w, gk);
    for (let k = 0; k < p; k++) grad[k] = 0.5 * gk[k];
    grad[p] = 0.5 * s2 * traceW;
    grad[p + 1] = sumAlpha;

    let logPrior = 0;
    for (let k = 0; k < this.nTheta; k++) {
      const z = (theta[k] - prior.mean[k]) / prior.sd[k];
      logPrior -= 0.5 * z * z;
      grad[k] -= z / prior.sd[k];
    }
    for (let k = 0; k < this.nTheta; k++) grad[k] = -grad[k];
    return -(lml + logPrior);
  }
}

export interface PosteriorPoint {
  mean: number;
  variance: number;
  /** d mean / dx and d variance / dx (length d). */
  dMean: Float64Array;
  dVariance: Float64Array;
}

/** A GP conditioned on its data at fixed hyperparameters. */
export class GpModel {
  /** Posterior-mean of the training points (noise-filtered values). */
  private readonly kbuf: Float64Array;
  private readonly vbuf: Float64Array;
  private readonly cache: Float64Array;
  private readonly gbuf: Float64Array;
  private readonly dbuf: Float64Array;
  private readonly sums = new Float64Array(4);
  private block = new Float64Array(0);

  private constructor(
    readonly kernel: Kernel,
    readonly theta: Float64Array,
    readonly X: Float64Array,
    readonly n: number,
    readonly d: number,
    readonly y: Float64Array,
    readonly noise: Float64Array,
    readonly chol: Float64Array,
    readonly alpha: Float64Array,
    readonly logPosterior: number,
  ) {
    this.kbuf = new Float64Array(n);
    this.vbuf = new Float64Array(n);
    this.cache = new Float64Array(n * kernel.crossCacheWidth);
    this.gbuf = new Float64Array(d);
    this.dbuf = new Float64Array(d);
  }

  get meanConstant(): number {
    return this.theta[this.kernel.nParams + 1];
  }

  get noiseVariance(): number {
    return Math.exp(this.theta[this.kernel.nParams]);
  }

  /** Condition on data at the given hyperparameters; throws when K is numerically singular. */
  static condition(kernel: Kernel, data: GpData, theta: ArrayLike<number>, logPosterior = NaN): GpModel {
    const n = data.n, p = kernel.nParams;
    const th = Float64Array.from(theta);
    kernel.setTheta(th);
    const kmat = new Float64Array(n * n);
    kernel.matrix(data.X, n, kmat);
    const s2 = Math.exp(th[p]);
    const noise = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      noise[i] = s2 + (data.knownNoise ? data.knownNoise[i] : 0);
      kmat[i * n + i] += noise[i];
    }
    const chol = new Float64Array(n * n);
    const fac = choleskyWithJitter(kmat, n, chol, 1);
    if (!fac.ok) throw new Error('GP: covariance matrix is not positive definite even with jitter');
    for (let i = 0; i < n; i++) noise[i] += fac.jitter;
    const alpha = new Float64Array(n);
    for (let i = 0; i < n; i++) alpha[i] = data.y[i] - th[p + 1];
    cholSolveInPlace(chol, n, alpha);
    return new GpModel(kernel, th, data.X.slice(0, n * data.d), n, data.d, data.y.slice(0, n), noise, chol, alpha, logPosterior);
  }

  /** The WebAssembly solver bound to this model's factor, or null (then the JavaScript loops run). */
  private tri() {
    const tri = wasmTriangular();
    return tri !== null && tri.bind(this.chol, this.n) ? tri : null;
  }

  /**
   * Posterior mean and variance (latent function, without noise) at m points. Candidates go
   * through the triangular solve four at a time so each row of L is loaded once per block.
   */
  predict(Xq: Float64Array, m: number, mean: Float64Array, variance: Float64Array): void {
    const { kernel, X, n, d, chol, alpha } = this;
    const c = this.meanConstant;
    const tri = this.tri();
    kernel.setTheta(this.theta);
    if (this.block.length < 4 * n) this.block = new Float64Array(4 * n);
    const V = this.block; // V[i * 4 + b]: entry i of candidate b
    const kb = this.kbuf;
    for (let q0 = 0; q0 < m; q0 += 4) {
      const nb = Math.min(4, m - q0);
      for (let b = 0; b < 4; b++) {
        if (b < nb) {
          kernel.cross(X, n, Xq, (q0 + b) * d, kb);
          mean[q0 + b] = c + dotRange(kb, 0, alpha, 0, n);
          for (let i = 0; i < n; i++) V[i * 4 + b] = kb[i];
        } else {
          for (let i = 0; i < n; i++) V[i * 4 + b] = 0;
        }
      }
      if (tri) {
        // The same arithmetic in SIMD (bit-identical), writing the four squared norms.
        tri.trsm4(V, this.sums);
        for (let b = 0; b < nb; b++) {
          const v = kernel.diag(Xq, (q0 + b) * d) - this.sums[b];
          variance[q0 + b] = v > 1e-14 ? v : 1e-14;
        }
        continue;
      }
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < n; i++) {
        const ri = i * n;
        let a0 = V[i * 4], a1 = V[i * 4 + 1], a2 = V[i * 4 + 2], a3 = V[i * 4 + 3];
        for (let k = 0; k < i; k++) {
          const lik = chol[ri + k];
          const o = k * 4;
          a0 -= lik * V[o];
          a1 -= lik * V[o + 1];
          a2 -= lik * V[o + 2];
          a3 -= lik * V[o + 3];
        }
        const inv = 1 / chol[ri + i];
        a0 *= inv; a1 *= inv; a2 *= inv; a3 *= inv;
        V[i * 4] = a0; V[i * 4 + 1] = a1; V[i * 4 + 2] = a2; V[i * 4 + 3] = a3;
        s0 += a0 * a0; s1 += a1 * a1; s2 += a2 * a2; s3 += a3 * a3;
      }
      const sums = [s0, s1, s2, s3];
      for (let b = 0; b < nb; b++) {
        const v = kernel.diag(Xq, (q0 + b) * d) - sums[b];
        variance[q0 + b] = v > 1e-14 ? v : 1e-14;
      }
    }
  }

  /** Mean, variance and their gradients at one point x (length d). */
  predictWithGradient(x: Float64Array, out: PosteriorPoint): void {
    const { kernel, X, n, chol, alpha, kbuf, vbuf, cache, gbuf, dbuf } = this;
    const tri = this.tri();
    kernel.setTheta(this.theta);
    kernel.cross(X, n, x, 0, kbuf, cache);
    out.mean = this.meanConstant + dotRange(kbuf, 0, alpha, 0, n);
    vbuf.set(kbuf);
    if (tri) tri.lower(vbuf);
    else solveLowerInPlace(chol, n, vbuf);
    const v = kernel.diag(x, 0) - dotRange(vbuf, 0, vbuf, 0, n);
    out.variance = v > 1e-14 ? v : 1e-14;
    if (tri) tri.upper(vbuf); // K^{-1} k
    else solveLowerTransposeInPlace(chol, n, vbuf);
    out.dMean.fill(0);
    gbuf.fill(0);
    kernel.crossGradient(X, n, x, cache, alpha, vbuf, out.dMean, gbuf);
    kernel.diagGradient(x, dbuf);
    for (let k = 0; k < this.d; k++) out.dVariance[k] = v > 1e-14 ? dbuf[k] - 2 * gbuf[k] : 0;
  }

  /** Posterior mean at the training inputs: y - noise * alpha (cheap, no solves). */
  trainingMeans(): Float64Array {
    return Float64Array.from(this.y, (yi, i) => yi - this.noise[i] * this.alpha[i]);
  }

  /**
   * A model with one more observation (x, y) at the same hyperparameters, by a rank-one extension
   * of the Cholesky factor (O(n^2)). Used for fantasies of pending points (kriging believer).
   */
  withObservation(x: ArrayLike<number>, y: number, knownNoise = 0): GpModel {
    const { kernel, n, d } = this;
    kernel.setTheta(this.theta);
    const X2 = new Float64Array((n + 1) * d);
    X2.set(this.X);
    for (let k = 0; k < d; k++) X2[n * d + k] = x[k];
    const kx = new Float64Array(n);
    kernel.cross(this.X, n, X2, n * d, kx);
    const nz = this.noiseVariance + knownNoise;
    const chol = new Float64Array((n + 1) * (n + 1));
    let ok = false;
    let extra = 0;
    for (let attempt = 0; attempt < 8 && !ok; attempt++) {
      ok = cholAppend(this.chol, n, kx, kernel.diag(X2, n * d) + nz + extra, chol);
      if (!ok) extra = extra === 0 ? 1e-10 : extra * 100;
    }
    if (!ok) throw new Error('GP: cannot add a fantasy point (duplicate input with no noise?)');
    const y2 = new Float64Array(n + 1);
    y2.set(this.y);
    y2[n] = y;
    const noise2 = new Float64Array(n + 1);
    noise2.set(this.noise);
    noise2[n] = nz + extra;
    const alpha = new Float64Array(n + 1);
    const c = this.meanConstant;
    for (let i = 0; i <= n; i++) alpha[i] = y2[i] - c;
    cholSolveInPlace(chol, n + 1, alpha);
    return new GpModel(kernel, this.theta, X2, n + 1, d, y2, noise2, chol, alpha, this.logPosterior);
  }
}

/**
 * Above this many points the fresh (non-warm) starts are optimised on an evenly spread subset of
 * this size: one likelihood evaluation costs O(n^3), so at 200 points a subset of 64 is ~30x
 * cheaper, and its optimum lands in the right basin. Only the best start is then refined on all
 * the data, which is what makes a cold fit at 200 points affordable.
 */
const FIT_SUBSET = 100;

function subsetData(data: GpData, size: number): GpData {
  const { n, d } = data;
  const X = new Float64Array(size * d), y = new Float64Array(size);
  const known = data.knownNoise ? new Float64Array(size) : undefined;
  for (let t = 0; t < size; t++) {
    const i = Math.floor((t * n) / size);
    X.set(data.X.subarray(i * d, (i + 1) * d), t * d);
    y[t] = data.y[i];
    if (known) known[t] = data.knownNoise![i];
  }
  return { X, n: size, d, y, knownNoise: known };
}

/** Fit hyperparameters (MAP with restarts) and return the conditioned model. */
export function fitGp(kernel: Kernel, data: GpData, options: GpFitOptions = {}): GpModel {
  const obj = new GpObjective(kernel, data);
  const { prior, nTheta } = obj;
  const warm = options.warmStart && options.warmStart.length === nTheta ? Float64Array.from(options.warmStart) : null;
  const restarts = Math.max(1, options.restarts ?? (warm ? 2 : 3));
  // Warm starts begin next to the previous optimum; a few iterations re-converge (latency matters:
  // this runs once per proposal).
  const maxIter = options.maxIter ?? (warm ? 10 : 60);
  const rng = new CounterRng(options.seed ?? 0, 0x6770);
  const clampToBox = (t: Float64Array) => {
    for (let k = 0; k < nTheta; k++) t[k] = Math.min(prior.upper[k], Math.max(prior.lower[k], t[k]));
    return t;
  };
  // Starts: the previous optimum, then a short-length-scale / low-noise point (the long-scale
  // start alone tends to fall into the "everything is noise" basin), the prior mode, prior draws.
  const shortStart = prior.mean.slice();
  const p = kernel.nParams;
  if (kernel.kind === 'matern52') for (let k = 0; k < data.d; k++) shortStart[k] = Math.log(0.2 * Math.sqrt(data.d));
  shortStart[p] = Math.log(1e-4);
  const starts: Float64Array[] = [];
  if (warm) starts.push(clampToBox(warm));
  starts.push(clampToBox(shortStart));
  if (starts.length < restarts) starts.push(clampToBox(prior.mean.slice()));
  while (starts.length < restarts) {
    starts.push(clampToBox(Float64Array.from(prior.mean, (m, k) => m + prior.sd[k] * rng.normal())));
  }
  starts.length = Math.min(starts.length, restarts);
  // Changes below 1e-3 nats of log posterior do not matter for the surrogate; near the previous
  // optimum the first step is kept short instead of overshooting and backtracking.
  const run = (o: GpObjective, start: Float64Array, iters: number, short: boolean) => minimizeLbfgs((t, g) => o.evaluate(t, g), start, {
    lower: prior.lower, upper: prior.upper, maxIter: iters, gtol: 1e-3, ftol: 1e-9, fatol: 1e-3, memory: 8,
    initialStep: short ? 0.1 : 1,
  });
  let best: Float64Array | null = null;
  let bestF = Infinity;
  if (data.n > FIT_SUBSET && options.maxIter === undefined && starts.length > (warm ? 1 : 0)) {
    // Fresh starts on the subset; then the best of them and the warm start, judged on all the
    // data, is the one refined there.
    const sub = new GpObjective(kernel, subsetData(data, FIT_SUBSET));
    const candidates = starts.map((s, i) => (warm && i === 0 ? s : run(sub, s, 60, false).x));
    const g = new Float64Array(nTheta);
    let from = candidates[0], fromF = Infinity;
    for (const c of candidates) {
      const f = obj.evaluate(c, g);
      if (f < fromF) {
        fromF = f;
        from = c;
      }
    }
    const r = run(obj, from, warm ? 10 : 20, true);
    bestF = r.f;
    best = r.x;
  } else {
    for (let s = 0; s < starts.length; s++) {
      const r = run(obj, starts[s], maxIter, !!warm && s === 0);
      if (r.f < bestF) {
        bestF = r.f;
        best = r.x;
      }
    }
  }
  const theta = best ?? clampToBox(prior.mean.slice());
  return GpModel.condition(kernel, data, theta, -bestF);
}
