import type { HyperPrior, Kernel } from './kernel';

/**
 * Infinite-width Bayesian ReLU network as a GP kernel (the "I-BNN" of the BNN-surrogate study;
 * Neal 1996, Cho & Saul 2009, Lee et al. 2018). With weight variance sw and bias variance sb:
 *   K^0(x, x') = sb + sw <phi(x), phi(x')> / p
 *   K^{l+1}(x, x') = sb + sw / (2 pi) sqrt(K^l(x,x) K^l(x',x')) (sin t + (pi - t) cos t),
 *   t = arccos(K^l(x,x') / sqrt(K^l(x,x) K^l(x',x')))
 * for `depth` hidden layers. Features phi: continuous coordinates centred to 2u - 1, categorical
 * coordinates one-hot (so they compare by identity, like the Hamming term of the Matérn kernel).
 * theta = [log sw, log sb].
 *
 * Not translation invariant: K^0 is a dot product of features whose origin is the centre of the
 * cube, so the kernel varies fastest in angle there and its posterior mean has its kink there.
 * That made this surrogate best of all on Ackley and Levy, whose optima sit at (or next to) the
 * centre, and as weak as random search on the same boxes with the optimum moved off-centre.
 * `ibnn-logei` therefore uses StationaryIbnnKernel (ibnn-stationary.ts); this one stays
 * selectable (ProposeOptions.ibnnInput = 'dot-product') for comparison.
 */

/** E[relu(u) relu(v)] for (u, v) ~ N(0, [[k11, k12], [k12, k22]]) and its partial derivatives. */
function arcCos(k12: number, k11: number, k22: number, out: Float64Array): void {
  const s = Math.sqrt(k11 * k22);
  let c = k12 / s;
  if (c > 1) c = 1;
  else if (c < -1) c = -1;
  const t = Math.acos(c);
  const sinT = Math.sqrt(Math.max(0, 1 - c * c));
  const inv2pi = 1 / (2 * Math.PI);
  out[0] = s * (sinT + (Math.PI - t) * c) * inv2pi;
  out[1] = (Math.PI - t) * inv2pi; // d/dk12 (dJ/dc = pi - t)
  out[2] = ((s / (2 * k11)) * sinT) * inv2pi; // d/dk11
  out[3] = ((s / (2 * k22)) * sinT) * inv2pi; // d/dk22
}

export interface IbnnOptions {
  /** Number of hidden layers (default 3). */
  depth?: number;
}

export class IbnnKernel implements Kernel {
  readonly kind = 'ibnn-dot' as const;
  readonly nParams = 2;
  readonly crossCacheWidth = 2;
  readonly depth: number;
  private readonly featDim: number;
  /** For coordinate k: feature index (continuous) or first one-hot index (categorical). */
  private readonly featStart: Int32Array;
  private readonly card: Int32Array;
  private sw = 2;
  private sb = 0.1;
  private theta = new Float64Array(2);
  private readonly e = new Float64Array(4);
  /** Per-training-set caches for cross(): features and the diagonal recursion. */
  private cachedX: Float64Array | null = null;
  private cachedN = -1;
  private cachedVersion = -1;
  private version = 0;
  private trainFeat = new Float64Array(0);
  private trainDiag = new Float64Array(0);
  private readonly xFeat: Float64Array;

  /** cardinality[k] = number of choices for a categorical coordinate, 0 for a continuous one. */
  constructor(readonly dim: number, cardinality: ArrayLike<number> = [], options: IbnnOptions = {}) {
    this.depth = options.depth ?? 3;
    this.card = Int32Array.from({ length: dim }, (_, k) => cardinality[k] ?? 0);
    this.featStart = new Int32Array(dim);
    let p = 0;
    for (let k = 0; k < dim; k++) {
      this.featStart[k] = p;
      p += this.card[k] > 0 ? this.card[k] : 1;
    }
    this.featDim = p;
    this.xFeat = new Float64Array(p);
    this.setTheta(this.prior().mean);
  }

  prior(): HyperPrior {
    return {
      names: ['log_weight_var', 'log_bias_var'],
      mean: Float64Array.of(Math.log(2), Math.log(0.1)),
      sd: Float64Array.of(1, 2),
      lower: Float64Array.of(Math.log(0.05), Math.log(1e-4)),
      upper: Float64Array.of(Math.log(50), Math.log(20)),
    };
  }

  setTheta(theta: ArrayLike<number>): void {
    this.theta[0] = theta[0];
    this.theta[1] = theta[1];
    this.sw = Math.exp(theta[0]);
    this.sb = Math.exp(theta[1]);
    this.version++;
  }

  getTheta(): Float64Array {
    return this.theta.slice();
  }

  private features(xs: Float64Array, off: number, out: Float64Array, outOff: number): void {
    for (let k = 0; k < this.dim; k++) {
      const c = this.card[k];
      const f = outOff + this.featStart[k];
      if (c === 0) out[f] = 2 * xs[off + k] - 1;
      else {
        const idx = Math.min(c - 1, Math.max(0, Math.floor(xs[off + k] * c)));
        for (let j = 0; j < c; j++) out[f + j] = j === idx ? 1 : 0;
      }
    }
  }

  private dotFeat(a: Float64Array, ao: number, b: Float64Array, bo: number): number {
    let s = 0;
    for (let j = 0; j < this.featDim; j++) s += a[ao + j] * b[bo + j];
    return s / this.featDim;
  }

  /** Features and final-layer diagonal of the training set, refreshed when X, n or theta change. */
  private ensureTrainCache(X: Float64Array, n: number): void {
    if (this.cachedX === X && this.cachedN === n && this.cachedVersion === this.version) return;
    const p = this.featDim;
    if (this.trainFeat.length < n * p) this.trainFeat = new Float64Array(n * p);
    if (this.trainDiag.length < n * (this.depth + 1)) this.trainDiag = new Float64Array(n * (this.depth + 1));
    for (let i = 0; i < n; i++) {
      this.features(X, i * this.dim, this.trainFeat, i * p);
      let kd = this.sb + this.sw * this.dotFeat(this.trainFeat, i * p, this.trainFeat, i * p);
      this.trainDiag[i * (this.depth + 1)] = kd;
      for (let l = 1; l <= this.depth; l++) {
        kd = this.sb + 0.5 * this.sw * kd;
        this.trainDiag[i * (this.depth + 1) + l] = kd;
      }
    }
    this.cachedX = X;
    this.cachedN = n;
    this.cachedVersion = this.version;
  }

  matrix(X: Float64Array, n: number, kmat: Float64Array): void {
    this.ensureTrainCache(X, n);
    const p = this.featDim, L = this.depth, D = this.trainDiag, F = this.trainFeat, e = this.e;
    for (let i = 0; i < n; i++) {
      kmat[i * n + i] = D[i * (L + 1) + L];
      for (let j = 0; j < i; j++) {
        let k12 = this.sb + this.sw * this.dotFeat(F, i * p, F, j * p);
        for (let l = 0; l < L; l++) {
          arcCos(k12, D[i * (L + 1) + l], D[j * (L + 1) + l], e);
          k12 = this.sb + this.sw * e[0];
        }
        kmat[i * n + j] = k12;
        kmat[j * n + i] = k12;
      }
    }
  }

  accumulateGradient(X: Float64Array, n: number, _kmat: Float64Array, W: Float64Array, grad: Float64Array): void {
    this.ensureTrainCache(X, n);
    const p = this.featDim, L = this.depth, F = this.trainFeat, e = this.e, sw = this.sw, sb = this.sb;
    // Forward-mode derivatives of the diagonal recursion w.r.t. log sw and log sb, per point.
    const dW = new Float64Array(n * (L + 1));
    const dB = new Float64Array(n * (L + 1));
    for (let i = 0; i < n; i++) {
      const q = this.dotFeat(F, i * p, F, i * p);
      let kd = sb + sw * q, dw = sw * q, db = sb;
      dW[i * (L + 1)] = dw;
      dB[i * (L + 1)] = db;
      for (let l = 1; l <= L; l++) {
        dw = 0.5 * sw * kd + 0.5 * sw * dw;
        db = sb + 0.5 * sw * db;
        kd = sb + 0.5 * sw * kd;
        dW[i * (L + 1) + l] = dw;
        dB[i * (L + 1) + l] = db;
      }
    }
    const D = this.trainDiag;
    let gw = 0, gb = 0;
    for (let i = 0; i < n; i++) {
      gw += W[i * n + i] * dW[i * (L + 1) + L];
      gb += W[i * n + i] * dB[i * (L + 1) + L];
      for (let j = 0; j < i; j++) {
        const q = this.dotFeat(F, i * p, F, j * p);
        let k12 = sb + sw * q, dw = sw * q, db = sb;
        for (let l = 0; l < L; l++) {
          const a = i * (L + 1) + l, b = j * (L + 1) + l;
          arcCos(k12, D[a], D[b], e);
          const dEw = e[1] * dw + e[2] * dW[a] + e[3] * dW[b];
          const dEb = e[1] * db + e[2] * dB[a] + e[3] * dB[b];
          dw = sw * e[0] + sw * dEw;
          db = sb + sw * dEb;
          k12 = sb + sw * e[0];
        }
        const w = 2 * W[i * n + j];
        gw += w * dw;
        gb += w * db;
      }
    }
    grad[0] += gw;
    grad[1] += gb;
  }

  cross(X: Float64Array, n: number, xs: Float64Array, off: number, out: Float64Array, cache?: Float64Array): void {
    this.ensureTrainCache(X, n);
    const p = this.featDim, L = this.depth, D = this.trainDiag, F = this.trainFeat, e = this.e, sw = this.sw, sb = this.sb;
    const xf = this.xFeat;
    this.features(xs, off, xf, 0);
    const xd = new Float64Array(L + 1);
    xd[0] = sb + sw * this.dotFeat(xf, 0, xf, 0);
    for (let l = 1; l <= L; l++) xd[l] = sb + 0.5 * sw * xd[l - 1];
    for (let i = 0; i < n; i++) {
      let k12 = sb + sw * this.dotFeat(xf, 0, F, i * p);
      // dK^l_12/dx = a g12 + b g11, with g12 = dK^0_12/dx and g11 = dK^0(x,x)/dx.
      let a = 1, b = 0, c = 1;
      for (let l = 0; l < L; l++) {
        arcCos(k12, xd[l], D[i * (L + 1) + l], e);
        k12 = sb + sw * e[0];
        const a2 = sw * e[1] * a;
        const b2 = sw * (e[1] * b + e[2] * c);
        a = a2; b = b2; c = 0.5 * sw * c;
      }
      out[i] = k12;
      if (cache) {
        cache[2 * i] = a;
        cache[2 * i + 1] = b;
      }
    }
  }

  diag(xs: Float64Array, off: number): number {
    this.features(xs, off, this.xFeat, 0);
    let kd = this.sb + this.sw * this.dotFeat(this.xFeat, 0, this.xFeat, 0);
    for (let l = 0; l < this.depth; l++) kd = this.sb + 0.5 * this.sw * kd;
    return kd;
  }

  crossGradient(X: Float64Array, n: number, x: Float64Array, cache: Float64Array, wA: Float64Array, wB: Float64Array, gA: Float64Array, gB: Float64Array): void {
    this.ensureTrainCache(X, n);
    const p = this.featDim, F = this.trainFeat, xf = this.xFeat, sw = this.sw;
    this.features(x, 0, xf, 0);
    let sumBA = 0, sumBB = 0;
    for (let i = 0; i < n; i++) {
      sumBA += wA[i] * cache[2 * i + 1];
      sumBB += wB[i] * cache[2 * i + 1];
    }
    for (let k = 0; k < this.dim; k++) {
      if (this.card[k] > 0) continue;
      const f = this.featStart[k];
      // dphi_f/dx_k = 2: g12_k = sw * 2 * phi_i[f] / p, g11_k = 2 sw * 2 * phi(x)[f] / p.
      let accA = 0, accB = 0;
      for (let i = 0; i < n; i++) {
        const g12 = (2 * sw * F[i * p + f]) / p;
        accA += wA[i] * cache[2 * i] * g12;
        accB += wB[i] * cache[2 * i] * g12;
      }
      const g11 = (4 * sw * xf[f]) / p;
      gA[k] += accA + sumBA * g11;
      gB[k] += accB + sumBB * g11;
    }
  }

  diagGradient(x: Float64Array, g: Float64Array): void {
    this.features(x, 0, this.xFeat, 0);
    const c = Math.pow(0.5 * this.sw, this.depth);
    const p = this.featDim;
    for (let k = 0; k < this.dim; k++) g[k] = this.card[k] > 0 ? 0 : (c * 4 * this.sw * this.xFeat[this.featStart[k]]) / p;
  }
}
