import type { HyperPrior, Kernel } from './kernel';

/**
 * Infinite-width Bayesian network with a stationary first layer: infinitely many cosine units
 * cos(w.x + b) with w ~ N(0, I / l^2) and b ~ U[0, 2 pi] (random Fourier features), then `depth`
 * infinitely wide ReLU layers as in the I-BNN (ibnn.ts):
 *   K^0(x, x') = sb + sw exp(-|x - x'|^2 / (2 l^2))
 *   K^{l+1}(x, x') = sb + sw / (2 pi) sqrt(K^l(x,x) K^l(x',x')) (sin t + (pi - t) cos t).
 * K^0 depends on x - x' only and its diagonal is the constant sb + sw, so every layer's diagonal is
 * a constant and every K^l a function of |x - x'|: the kernel is exactly translation invariant
 * (the plain I-BNN's dot-product input layer is not: it resolves most finely near the origin of
 * its features, the centre of the cube, and favoured optima that sit there). Categorical
 * coordinates add 1 to |x - x'|^2 on a mismatch (scaled one-hot codes). theta = [log sw, log sb,
 * log l].
 */

/** E[relu(u) relu(v)] for (u, v) ~ N(0, [[s, k12], [k12, s]]) and d/dk12, d/ds. */
function arcCosEq(k12: number, s: number, out: Float64Array): void {
  let c = k12 / s;
  if (c > 1) c = 1;
  else if (c < -1) c = -1;
  const t = Math.acos(c);
  const sinT = Math.sqrt(Math.max(0, 1 - c * c));
  const inv2pi = 1 / (2 * Math.PI);
  out[0] = s * (sinT + (Math.PI - t) * c) * inv2pi;
  out[1] = (Math.PI - t) * inv2pi;
  out[2] = sinT * inv2pi; // d/ds with k12 fixed: J/s - c dJ/dc / s... = sinT / (2 pi)
}

export interface StationaryIbnnOptions {
  depth?: number;
}

export class StationaryIbnnKernel implements Kernel {
  readonly kind = 'ibnn' as const;
  readonly nParams = 3;
  readonly crossCacheWidth = 1;
  readonly depth: number;
  private readonly card: Int32Array;
  private sw = 2;
  private sb = 0.1;
  private invL2 = 1;
  private theta = new Float64Array(3);
  private readonly e = new Float64Array(3);
  /** Diagonal of every layer (the same for all points) and its derivatives in log sw, log sb. */
  private diagL = new Float64Array(0);
  private diagW = new Float64Array(0);
  private diagB = new Float64Array(0);

  constructor(readonly dim: number, cardinality: ArrayLike<number> = [], options: StationaryIbnnOptions = {}) {
    this.depth = options.depth ?? 3;
    this.card = Int32Array.from({ length: dim }, (_, k) => cardinality[k] ?? 0);
    this.diagL = new Float64Array(this.depth + 1);
    this.diagW = new Float64Array(this.depth + 1);
    this.diagB = new Float64Array(this.depth + 1);
    this.setTheta(this.prior().mean);
  }

  prior(): HyperPrior {
    const d = this.dim;
    return {
      names: ['log_weight_var', 'log_bias_var', 'log_length_scale'],
      mean: Float64Array.of(Math.log(2), Math.log(0.1), Math.log(0.5 * Math.sqrt(d))),
      sd: Float64Array.of(1, 2, 1),
      lower: Float64Array.of(Math.log(0.05), Math.log(1e-4), Math.log(0.01)),
      upper: Float64Array.of(Math.log(50), Math.log(20), Math.log(10 * Math.sqrt(d))),
    };
  }

  setTheta(theta: ArrayLike<number>): void {
    for (let i = 0; i < 3; i++) this.theta[i] = theta[i];
    this.sw = Math.exp(theta[0]);
    this.sb = Math.exp(theta[1]);
    this.invL2 = Math.exp(-2 * theta[2]);
    const { sw, sb } = this;
    let kd = sb + sw, dw = sw, db = sb;
    this.diagL[0] = kd; this.diagW[0] = dw; this.diagB[0] = db;
    for (let l = 1; l <= this.depth; l++) {
      dw = 0.5 * sw * kd + 0.5 * sw * dw;
      db = sb + 0.5 * sw * db;
      kd = sb + 0.5 * sw * kd;
      this.diagL[l] = kd; this.diagW[l] = dw; this.diagB[l] = db;
    }
  }

  getTheta(): Float64Array {
    return this.theta.slice();
  }

  private r2(a: Float64Array, ao: number, b: Float64Array, bo: number): number {
    let s = 0;
    for (let k = 0; k < this.dim; k++) {
      const c = this.card[k];
      if (c === 0) {
        const t = a[ao + k] - b[bo + k];
        s += t * t;
      } else if (Math.min(c - 1, Math.floor(a[ao + k] * c)) !== Math.min(c - 1, Math.floor(b[bo + k] * c))) s += 1;
    }
    return s;
  }

  /** Final-layer value for input-layer correlation E = exp(-r^2 / 2l^2); a = dK^L / dK^0_12. */
  private chain(E: number, out: { k: number; a: number; dw: number; db: number; dE: number }): void {
    const { sw, sb, e } = this;
    let k12 = sb + sw * E, a = 1, dw = sw * E, db = sb;
    for (let l = 0; l < this.depth; l++) {
      const s = this.diagL[l];
      arcCosEq(k12, s, e);
      // d e0 = e1 d k12 + e2 d s.
      const dEw = e[1] * dw + e[2] * this.diagW[l];
      const dEb = e[1] * db + e[2] * this.diagB[l];
      dw = sw * e[0] + sw * dEw;
      db = sb + sw * dEb;
      a = sw * e[1] * a;
      k12 = sb + sw * e[0];
    }
    out.k = k12; out.a = a; out.dw = dw; out.db = db; out.dE = a * sw;
  }

  private readonly tmp = { k: 0, a: 0, dw: 0, db: 0, dE: 0 };

  matrix(X: Float64Array, n: number, kmat: Float64Array): void {
    const d = this.dim, diag = this.diagL[this.depth], t = this.tmp;
    for (let i = 0; i < n; i++) {
      kmat[i * n + i] = diag;
      for (let j = 0; j < i; j++) {
        this.chain(Math.exp(-0.5 * this.invL2 * this.r2(X, i * d, X, j * d)), t);
        kmat[i * n + j] = t.k;
        kmat[j * n + i] = t.k;
      }
    }
  }

  accumulateGradient(X: Float64Array, n: number, _kmat: Float64Array, W: Float64Array, grad: Float64Array): void {
    const d = this.dim, L = this.depth, t = this.tmp;
    let gw = 0, gb = 0, gl = 0, tr = 0;
    for (let i = 0; i < n; i++) tr += W[i * n + i];
    gw += tr * this.diagW[L];
    gb += tr * this.diagB[L];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const r2 = this.r2(X, i * d, X, j * d);
        const E = Math.exp(-0.5 * this.invL2 * r2);
        this.chain(E, t);
        const w = 2 * W[i * n + j];
        gw += w * t.dw;
        gb += w * t.db;
        // dE/dlog l = E r^2 / l^2.
        gl += w * t.dE * E * r2 * this.invL2;
      }
    }
    grad[0] += gw;
    grad[1] += gb;
    grad[2] += gl;
  }

  cross(X: Float64Array, n: number, xs: Float64Array, off: number, out: Float64Array, cache?: Float64Array): void {
    const d = this.dim, t = this.tmp;
    for (let i = 0; i < n; i++) {
      const E = Math.exp(-0.5 * this.invL2 * this.r2(xs, off, X, i * d));
      this.chain(E, t);
      out[i] = t.k;
      // dk/dx_k = dE * E * (-(x_k - X_ik) / l^2) for continuous k.
      if (cache) cache[i] = t.dE * E * this.invL2;
    }
  }

  diag(): number {
    return this.diagL[this.depth];
  }

  crossGradient(X: Float64Array, n: number, x: Float64Array, cache: Float64Array, wA: Float64Array, wB: Float64Array, gA: Float64Array, gB: Float64Array): void {
    const d = this.dim;
    for (let k = 0; k < d; k++) {
      if (this.card[k] > 0) continue;
      let accA = 0, accB = 0;
      for (let i = 0; i < n; i++) {
        const g = -cache[i] * (x[k] - X[i * d + k]);
        accA += wA[i] * g;
        accB += wB[i] * g;
      }
      gA[k] += accA;
      gB[k] += accB;
    }
  }

  diagGradient(_x: Float64Array, g: Float64Array): void {
    g.fill(0, 0, this.dim);
  }
}
