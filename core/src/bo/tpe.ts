import { CounterRng } from '../rng';
import type { SpaceEncoding } from './encoding';
import { snapPoint } from './encoding';
import { normCdf, normQuantile } from './special';

/**
 * Tree-structured Parzen estimator baseline (Bergstra et al. 2011; multivariate form as in
 * Falkner et al. 2018 and Optuna). Observations are split at the gamma quantile into "good" and
 * "bad"; each group gets a product-kernel density on the encoded space (truncated Gaussians on
 * [0,1] for numeric coordinates, smoothed one-hot distributions for categoricals) mixed with a
 * flat prior component. Candidates drawn from the good density are ranked by
 * log l(x) - log g(x). Minimisation: lower values are better.
 */

export interface TpeOptions {
  /** Candidates drawn from l(x) per proposal (Optuna: 24). */
  candidates?: number;
  /** Number of good points for n observations (default min(ceil(0.1 n), 25), at least 1). */
  gamma?: (n: number) => number;
  /** Probability mass a categorical kernel keeps on its own choice. */
  categoricalKeep?: number;
}

const defaultGamma = (n: number) => Math.max(1, Math.min(Math.ceil(0.1 * n), 25));

interface Parzen {
  /** Component centres (m x d); the prior component is handled separately. */
  centres: Float64Array;
  m: number;
  /** Bandwidth per coordinate. */
  sigma: Float64Array;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function buildParzen(points: Float64Array[], enc: SpaceEncoding): Parzen {
  const d = enc.dim, m = points.length;
  const centres = new Float64Array(m * d);
  points.forEach((p, i) => centres.set(p, i * d));
  // Scott-like rule scaled to the unit range, as in Optuna's multivariate TPE.
  const sigma = new Float64Array(d);
  const base = 0.2 * Math.pow(Math.max(m, 1), -1 / (d + 4));
  for (let k = 0; k < d; k++) {
    const p = enc.space[k];
    let s = base;
    if (p.type === 'int') s = Math.max(s, 0.5 / (p.high - p.low + 1));
    sigma[k] = Math.max(s, 1e-3);
  }
  return { centres, m, sigma };
}

/** log of the truncated-normal density on [0,1] with centre mu and scale s at x. */
function logTruncNormal(x: number, mu: number, s: number): number {
  const z = (x - mu) / s;
  const mass = normCdf((1 - mu) / s) - normCdf(-mu / s);
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(s) - Math.log(Math.max(mass, 1e-300));
}

function logSumExp(v: Float64Array, len: number): number {
  let mx = -Infinity;
  for (let i = 0; i < len; i++) if (v[i] > mx) mx = v[i];
  if (mx === -Infinity) return mx;
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.exp(v[i] - mx);
  return mx + Math.log(s);
}

export class TpeSampler {
  private readonly keep: number;
  constructor(private readonly enc: SpaceEncoding, private readonly options: TpeOptions = {}) {
    this.keep = options.categoricalKeep ?? 0.75;
  }

  /** log density of the mixture (components + one flat prior component) at x. */
  logDensity(parzen: Parzen, x: Float64Array, scratch: Float64Array): number {
    const { enc } = this;
    const d = enc.dim;
    for (let i = 0; i < parzen.m; i++) {
      let lp = 0;
      for (let k = 0; k < d; k++) {
        const card = enc.cardinality[k];
        const c = parzen.centres[i * d + k];
        if (card > 0) {
          const same = Math.floor(x[k] * card) === Math.floor(c * card);
          lp += card === 1 ? 0 : Math.log(same ? this.keep : (1 - this.keep) / (card - 1));
        } else {
          lp += logTruncNormal(x[k], c, parzen.sigma[k]);
        }
      }
      scratch[i] = lp;
    }
    // Flat prior component: density 1 on numeric coordinates, 1/card on each categorical one.
    let prior = 0;
    for (let k = 0; k < d; k++) if (enc.cardinality[k] > 0) prior -= Math.log(enc.cardinality[k]);
    scratch[parzen.m] = prior;
    return logSumExp(scratch, parzen.m + 1) - Math.log(parzen.m + 1);
  }

  private sample(parzen: Parzen, rng: CounterRng, out: Float64Array): void {
    const { enc } = this;
    const d = enc.dim;
    const comp = rng.int(parzen.m + 1);
    for (let k = 0; k < d; k++) {
      const card = enc.cardinality[k];
      if (comp === parzen.m) {
        out[k] = rng.uniform();
        continue;
      }
      const c = parzen.centres[comp * d + k];
      if (card > 0) {
        const own = Math.floor(c * card);
        let choice = own;
        if (card > 1 && rng.uniform() >= this.keep) {
          choice = rng.int(card - 1);
          if (choice >= own) choice++;
        }
        out[k] = (choice + 0.5) / card;
      } else {
        // Inverse-CDF draw from the normal truncated to [0,1].
        const s = parzen.sigma[k];
        const lo = normCdf(-c / s), hi = normCdf((1 - c) / s);
        const u = lo + rng.uniform() * (hi - lo);
        const v = c + s * normQuantile(Math.min(1 - 1e-16, Math.max(1e-300, u)));
        out[k] = Math.min(1, Math.max(0, Number.isFinite(v) ? v : c));
      }
    }
    snapPoint(enc, out);
  }

  /**
   * Candidates ranked by log l(x) - log g(x), best first. `values` are for minimisation; `liars`
   * (pending points) join the bad group, which steers candidates away from them.
   */
  rank(points: Float64Array[], values: number[], liars: Float64Array[], seed: number, stream: number): Array<{ x: Float64Array; score: number }> {
    const n = points.length;
    const gamma = this.options.gamma ?? defaultGamma;
    const nGood = Math.min(n, gamma(n));
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
    const good = order.slice(0, nGood).map((i) => points[i]);
    const bad = [...order.slice(nGood).map((i) => points[i]), ...liars];
    const l = buildParzen(good, this.enc);
    const g = buildParzen(bad, this.enc);
    const rng = new CounterRng(seed, stream);
    const count = this.options.candidates ?? 24;
    const scratch = new Float64Array(Math.max(l.m, g.m) + 1);
    const out: Array<{ x: Float64Array; score: number }> = [];
    for (let t = 0; t < count; t++) {
      const x = new Float64Array(this.enc.dim);
      this.sample(l, rng, x);
      const score = this.logDensity(l, x, scratch) - this.logDensity(g, x, scratch);
      out.push({ x, score });
    }
    return out.sort((a, b) => b.score - a.score);
  }
}
