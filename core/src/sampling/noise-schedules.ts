/**
 * VP noise schedules: q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I) with alpha_t^2 + sigma_t^2 = 1.
 *
 * Everything the solvers need is a function of log(alpha_t); sigma and lambda are derived from it
 * with expm1/log1p so that they stay accurate at both ends (t -> 0, where sigma is tiny, and
 * t -> T, where alpha is tiny). lambda = log(alpha / sigma) is strictly decreasing in t, and every
 * schedule inverts it exactly (closed form, or an exact linear solve inside a grid segment).
 */

export const NOISE_SCHEDULE_NAMES = ['vp-linear', 'vp-cosine', 'ddpm-discrete'] as const;
export type NoiseScheduleName = (typeof NOISE_SCHEDULE_NAMES)[number];

export interface NoiseSchedule {
  readonly name: NoiseScheduleName;
  /** Largest time the model is defined at (sampling starts here by default). */
  readonly tMax: number;
  /** Default end time of sampling (DPM-Solver's epsilon). */
  readonly tMinDefault: number;
  logAlpha(t: number): number;
  alpha(t: number): number;
  sigma(t: number): number;
  /** Half log-SNR, log(alpha_t / sigma_t). */
  lambda(t: number): number;
  inverseLambda(lambda: number): number;
}

/** log(1 + e^z) without overflow or loss of precision. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** log(alpha) for a given lambda on any VP schedule: alpha^2 = 1 / (1 + e^{-2 lambda}). */
export function logAlphaFromLambda(lambda: number): number {
  return -0.5 * softplus(-2 * lambda);
}

function sigmaFromLogAlpha(logAlpha: number): number {
  return Math.sqrt(-Math.expm1(2 * logAlpha));
}

function lambdaFromLogAlpha(logAlpha: number): number {
  return logAlpha - 0.5 * Math.log(-Math.expm1(2 * logAlpha));
}

abstract class VpSchedule implements NoiseSchedule {
  abstract readonly name: NoiseScheduleName;
  abstract readonly tMax: number;
  abstract readonly tMinDefault: number;
  abstract logAlpha(t: number): number;
  protected abstract tFromLogAlpha(logAlpha: number): number;

  alpha(t: number): number {
    return Math.exp(this.logAlpha(t));
  }
  sigma(t: number): number {
    return sigmaFromLogAlpha(this.logAlpha(t));
  }
  lambda(t: number): number {
    return lambdaFromLogAlpha(this.logAlpha(t));
  }
  inverseLambda(lambda: number): number {
    if (Number.isNaN(lambda)) throw new RangeError('inverseLambda: lambda is NaN');
    return this.tFromLogAlpha(logAlphaFromLambda(lambda));
  }
}

/** Linear-beta VP SDE (Song et al.): beta(t) = beta0 + t (beta1 - beta0). */
export class VpLinearSchedule extends VpSchedule {
  readonly name = 'vp-linear' as const;
  readonly tMax = 1;
  readonly tMinDefault = 1e-3;
  constructor(readonly beta0 = 0.1, readonly beta1 = 20) {
    super();
  }
  logAlpha(t: number): number {
    return -0.25 * (this.beta1 - this.beta0) * t * t - 0.5 * this.beta0 * t;
  }
  protected tFromLogAlpha(logAlpha: number): number {
    // a t^2 + b t = c with c = -log alpha >= 0; the root written without cancellation.
    const a = 0.25 * (this.beta1 - this.beta0);
    const b = 0.5 * this.beta0;
    const c = -logAlpha;
    return (2 * c) / (b + Math.sqrt(b * b + 4 * a * c));
  }
}

/** Improved-DDPM cosine schedule, alpha_t = cos((t+s)/(1+s) pi/2) / cos(s/(1+s) pi/2), on [0, 0.9946]. */
export class VpCosineSchedule extends VpSchedule {
  readonly name = 'vp-cosine' as const;
  readonly tMax = 0.9946;
  readonly tMinDefault = 1e-3;
  private readonly logAlpha0: number;
  constructor(readonly s = 0.008) {
    super();
    this.logAlpha0 = Math.log(Math.cos((s / (1 + s)) * (Math.PI / 2)));
  }
  logAlpha(t: number): number {
    return Math.log(Math.cos(((t + this.s) / (1 + this.s)) * (Math.PI / 2))) - this.logAlpha0;
  }
  protected tFromLogAlpha(logAlpha: number): number {
    // cos(theta) = c; atan2(sin, cos) keeps full precision near theta = 0 where acos does not.
    const logC = logAlpha + this.logAlpha0;
    const theta = Math.atan2(Math.sqrt(-Math.expm1(2 * logC)), Math.exp(logC));
    return (theta * 2 * (1 + this.s)) / Math.PI - this.s;
  }
}

/**
 * Discrete DDPM (betas linspace(1e-4, 0.02, 1000)) made continuous as in DPM-Solver: step n sits at
 * t_n = (n + 1) / N and log(alpha) is piecewise linear in t between grid points. We add the point
 * (t = 0, log alpha = 0) so the interpolant never gives alpha > 1 below t_0 (linear extrapolation
 * of the first segment would), and extrapolate the last segment beyond t = 1.
 */
export class DdpmDiscreteSchedule extends VpSchedule {
  readonly name = 'ddpm-discrete' as const;
  readonly tMax = 1;
  readonly tMinDefault: number;
  /** Grid times, increasing, starting at 0. */
  private readonly ts: Float64Array;
  /** log(alpha) on the grid, strictly decreasing, starting at 0. */
  private readonly logAlphas: Float64Array;

  constructor(readonly numSteps = 1000, readonly betaStart = 1e-4, readonly betaEnd = 0.02) {
    super();
    this.tMinDefault = 1 / numSteps;
    this.ts = new Float64Array(numSteps + 1);
    this.logAlphas = new Float64Array(numSteps + 1);
    let acc = 0;
    for (let n = 0; n < numSteps; n++) {
      const beta = numSteps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * n) / (numSteps - 1);
      acc += 0.5 * Math.log1p(-beta);
      this.ts[n + 1] = (n + 1) / numSteps;
      this.logAlphas[n + 1] = acc;
    }
  }

  logAlpha(t: number): number {
    const ts = this.ts, la = this.logAlphas, last = ts.length - 1;
    if (t <= 0) return 0;
    let k: number; // segment [k, k+1]
    if (t >= ts[last]) k = last - 1;
    else {
      let lo = 0, hi = last; // ts[lo] <= t < ts[hi]
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (ts[mid] <= t) lo = mid;
        else hi = mid;
      }
      k = lo;
    }
    const w = (t - ts[k]) / (ts[k + 1] - ts[k]);
    return la[k] + w * (la[k + 1] - la[k]);
  }

  protected tFromLogAlpha(logAlpha: number): number {
    const ts = this.ts, la = this.logAlphas, last = ts.length - 1;
    if (logAlpha >= 0) return 0;
    let k: number;
    if (logAlpha <= la[last]) k = last - 1;
    else {
      let lo = 0, hi = last; // la[lo] >= logAlpha > la[hi]
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (la[mid] >= logAlpha) lo = mid;
        else hi = mid;
      }
      k = lo;
    }
    const w = (logAlpha - la[k]) / (la[k + 1] - la[k]);
    return ts[k] + w * (ts[k + 1] - ts[k]);
  }
}

const cache = new Map<NoiseScheduleName, NoiseSchedule>();

export function getNoiseSchedule(name: NoiseScheduleName): NoiseSchedule {
  let s = cache.get(name);
  if (!s) {
    switch (name) {
      case 'vp-linear': s = new VpLinearSchedule(); break;
      case 'vp-cosine': s = new VpCosineSchedule(); break;
      case 'ddpm-discrete': s = new DdpmDiscreteSchedule(); break;
      default: throw new RangeError(`unknown noise schedule "${String(name)}"; use one of ${NOISE_SCHEDULE_NAMES.join(', ')}`);
    }
    cache.set(name, s);
  }
  return s;
}
