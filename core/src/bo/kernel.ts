/**
 * Covariance functions for the GP surrogate, on points encoded in [0,1]^d (see encoding.ts).
 * A kernel owns its hyperparameters (as logs), their priors and box, and the derivatives the
 * GP needs: with respect to the hyperparameters (marginal-likelihood fit) and with respect to the
 * query point (gradient-based acquisition search).
 */

/** 'ibnn': stationary-input I-BNN (ibnn-stationary.ts); 'ibnn-dot': the dot-product one (ibnn.ts). */
export type KernelKind = 'matern52' | 'ibnn' | 'ibnn-dot';

export interface HyperPrior {
  names: string[];
  /** Normal prior on each (log-scale) hyperparameter. */
  mean: Float64Array;
  sd: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

export interface Kernel {
  readonly kind: KernelKind;
  readonly dim: number;
  readonly nParams: number;
  /** Doubles per training point that cross() leaves for crossGradient(). */
  readonly crossCacheWidth: number;
  prior(): HyperPrior;
  /** Set the hyperparameters used by every later call. */
  setTheta(theta: ArrayLike<number>): void;
  getTheta(): Float64Array;
  /** kmat (n x n, full) = k(X_i, X_j). */
  matrix(X: Float64Array, n: number, kmat: Float64Array): void;
  /** grad[p] += sum_ij W_ij d k(X_i, X_j) / d theta_p for symmetric W; kmat is what matrix() wrote. */
  accumulateGradient(X: Float64Array, n: number, kmat: Float64Array, W: Float64Array, grad: Float64Array): void;
  /** out[i] = k(x, X_i), x = xs[off .. off+dim); cache (n * crossCacheWidth) feeds crossGradient. */
  cross(X: Float64Array, n: number, xs: Float64Array, off: number, out: Float64Array, cache?: Float64Array): void;
  /** k(x, x). */
  diag(xs: Float64Array, off: number): number;
  /** gA += sum_i wA_i dk(x, X_i)/dx and gB likewise; needs the cache of the cross() call at x. */
  crossGradient(X: Float64Array, n: number, x: Float64Array, cache: Float64Array, wA: Float64Array, wB: Float64Array, gA: Float64Array, gB: Float64Array): void;
  /** g = d k(x, x) / dx. */
  diagGradient(x: Float64Array, g: Float64Array): void;
}

const SQRT5 = Math.sqrt(5);

/**
 * Matérn-5/2 with one length scale per coordinate (ARD) and a signal variance. Categorical
 * coordinates enter the distance as a weighted Hamming term: a mismatch adds 1/l_c^2 to r^2, which
 * is the squared distance between scaled one-hot codes, so the kernel stays positive definite.
 * theta = [log l_1 .. log l_d, log signal variance].
 */
export class Matern52Kernel implements Kernel {
  readonly kind = 'matern52' as const;
  readonly nParams: number;
  readonly crossCacheWidth = 1;
  private readonly cont: Int32Array;
  private readonly cat: Int32Array;
  private readonly invL2: Float64Array;
  private sf2 = 1;
  private theta: Float64Array;
  /** G_ij = sf2 (5/3)(1 + sqrt5 r) e^{-sqrt5 r}, i.e. -2 dk/d(r^2), shared by all gradients. */
  private pair = new Float64Array(0);
  /** Continuous coordinates divided by their length scales (n x #continuous). */
  private scaled = new Float64Array(0);

  constructor(readonly dim: number, categoricalDims: ArrayLike<number> = []) {
    this.nParams = dim + 1;
    const isCat = new Uint8Array(dim);
    for (let i = 0; i < categoricalDims.length; i++) isCat[categoricalDims[i]] = 1;
    this.cont = Int32Array.from({ length: dim }, (_, i) => i).filter((i) => !isCat[i]);
    this.cat = Int32Array.from({ length: dim }, (_, i) => i).filter((i) => isCat[i] === 1);
    this.invL2 = new Float64Array(dim);
    this.theta = new Float64Array(this.nParams);
    this.setTheta(this.prior().mean);
  }

  prior(): HyperPrior {
    const d = this.dim;
    const p = this.nParams;
    // Length scales: log-normal centred on sqrt2 + log(d)/2 (Hvarfner et al. 2024), wide.
    const mean = new Float64Array(p).fill(Math.SQRT2 + 0.5 * Math.log(d));
    const sd = new Float64Array(p).fill(Math.sqrt(3));
    const lower = new Float64Array(p).fill(Math.log(0.005));
    const upper = new Float64Array(p).fill(Math.log(100));
    mean[d] = 0; sd[d] = 1.5; lower[d] = Math.log(0.02); upper[d] = Math.log(50);
    const names = [...Array.from({ length: d }, (_, i) => `log_lengthscale_${i}`), 'log_signal_var'];
    return { names, mean, sd, lower, upper };
  }

  setTheta(theta: ArrayLike<number>): void {
    for (let i = 0; i < this.nParams; i++) this.theta[i] = theta[i];
    for (let i = 0; i < this.dim; i++) this.invL2[i] = Math.exp(-2 * theta[i]);
    this.sf2 = Math.exp(theta[this.dim]);
  }

  getTheta(): Float64Array {
    return this.theta.slice();
  }

  private r2(a: Float64Array, ao: number, b: Float64Array, bo: number): number {
    const { cont, cat, invL2 } = this;
    let r2 = 0;
    for (let t = 0; t < cont.length; t++) {
      const k = cont[t];
      const dlt = a[ao + k] - b[bo + k];
      r2 += dlt * dlt * invL2[k];
    }
    for (let t = 0; t < cat.length; t++) {
      const k = cat[t];
      if (a[ao + k] !== b[bo + k]) r2 += invL2[k];
    }
    return r2;
  }

  matrix(X: Float64Array, n: number, kmat: Float64Array): void {
    const d = this.dim, sf2 = this.sf2, { cont, cat, invL2 } = this;
    if (this.pair.length < n * n) this.pair = new Float64Array(n * n);
    const pair = this.pair;
    const nc = cont.length;
    if (this.scaled.length < n * nc) this.scaled = new Float64Array(n * nc);
    const S = this.scaled;
    for (let i = 0; i < n; i++) for (let t = 0; t < nc; t++) S[i * nc + t] = X[i * d + cont[t]] * Math.sqrt(invL2[cont[t]]);
    for (let i = 0; i < n; i++) {
      kmat[i * n + i] = sf2;
      pair[i * n + i] = sf2 * (5 / 3);
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        for (let t = 0; t < nc; t++) {
          const dlt = S[i * nc + t] - S[j * nc + t];
          r2 += dlt * dlt;
        }
        for (let t = 0; t < cat.length; t++) {
          const k = cat[t];
          if (X[i * d + k] !== X[j * d + k]) r2 += invL2[k];
        }
        const r = Math.sqrt(r2);
        const e = Math.exp(-SQRT5 * r);
        const k = sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
        kmat[i * n + j] = k;
        kmat[j * n + i] = k;
        pair[i * n + j] = sf2 * (5 / 3) * (1 + SQRT5 * r) * e;
      }
    }
  }

  accumulateGradient(X: Float64Array, n: number, kmat: Float64Array, W: Float64Array, grad: Float64Array): void {
    const d = this.dim, { cont, cat, invL2, pair } = this;
    let gSignal = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      gSignal += W[ri + i] * kmat[ri + i];
      for (let j = 0; j < i; j++) {
        const w = 2 * W[ri + j];
        gSignal += w * kmat[ri + j];
        const wg = w * pair[ri + j];
        // d k / d log l_k = G * delta_k^2 / l_k^2.
        for (let t = 0; t < cont.length; t++) {
          const k = cont[t];
          const dlt = X[i * d + k] - X[j * d + k];
          grad[k] += wg * dlt * dlt * invL2[k];
        }
        for (let t = 0; t < cat.length; t++) {
          const k = cat[t];
          if (X[i * d + k] !== X[j * d + k]) grad[k] += wg * invL2[k];
        }
      }
    }
    grad[d] += gSignal;
  }

  cross(X: Float64Array, n: number, xs: Float64Array, off: number, out: Float64Array, cache?: Float64Array): void {
    const d = this.dim, sf2 = this.sf2;
    for (let i = 0; i < n; i++) {
      const r2 = this.r2(xs, off, X, i * d);
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      out[i] = sf2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      if (cache) cache[i] = sf2 * (5 / 3) * (1 + SQRT5 * r) * e;
    }
  }

  diag(): number {
    return this.sf2;
  }

  crossGradient(X: Float64Array, n: number, x: Float64Array, cache: Float64Array, wA: Float64Array, wB: Float64Array, gA: Float64Array, gB: Float64Array): void {
    const d = this.dim, { cont, invL2 } = this;
    for (let i = 0; i < n; i++) {
      // d k / d x_k = -G * delta_k / l_k^2.
      const a = -wA[i] * cache[i];
      const b = -wB[i] * cache[i];
      if (a === 0 && b === 0) continue;
      for (let t = 0; t < cont.length; t++) {
        const k = cont[t];
        const s = (x[k] - X[i * d + k]) * invL2[k];
        gA[k] += a * s;
        gB[k] += b * s;
      }
    }
  }

  diagGradient(_x: Float64Array, g: Float64Array): void {
    g.fill(0);
  }
}
