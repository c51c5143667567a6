import { minimizeLbfgs } from '../optim/lbfgs';
import { CounterRng } from '../rng';
import type { Acquisition, AcquisitionGrad } from './acquisition';
import { activeMask, decodeValue, encodeValue, snapPoint, type SpaceEncoding } from './encoding';
import type { GpModel, PosteriorPoint } from './gp';
import { SobolSequence } from './sobol';

/**
 * Maximise an acquisition function over the encoded space: a scrambled-Sobol sweep plus
 * perturbations of the best observed points, then local search from the best distinct
 * candidates: L-BFGS on the continuous coordinates (ints relaxed, then rounded) alternating with
 * a discrete neighbourhood step (every other choice of each categorical, +-1 for each int).
 */

export interface AcqOptimizeOptions {
  seed: number;
  /** Distinguishes successive calls with the same seed (a different sweep each time). */
  round: number;
  rawSamples?: number;
  numRestarts?: number;
  maxIter?: number;
  /** Encoded points (best first) around which extra candidates are drawn. */
  anchors?: Float64Array[];
  /** False for candidates that must not be returned (duplicates of observed or pending points). */
  accept?: (u: Float64Array) => boolean;
}

export interface AcqCandidate {
  x: Float64Array;
  value: number;
}

const CHUNK = 256;

export class AcquisitionOptimizer {
  private readonly d: number;
  private readonly pp: PosteriorPoint;
  private readonly ag: AcquisitionGrad = { dMean: 0, dVariance: 0 };
  private readonly meanBuf = new Float64Array(CHUNK);
  private readonly varBuf = new Float64Array(CHUNK);

  constructor(private readonly model: GpModel, private readonly acq: Acquisition, private readonly enc: SpaceEncoding) {
    this.d = enc.dim;
    this.pp = { mean: 0, variance: 0, dMean: new Float64Array(this.d), dVariance: new Float64Array(this.d) };
  }

  /** Acquisition values of m points (row-major m x d). */
  evaluateMany(X: Float64Array, m: number, out: Float64Array = new Float64Array(m)): Float64Array {
    const d = this.d;
    for (let s = 0; s < m; s += CHUNK) {
      const len = Math.min(CHUNK, m - s);
      this.model.predict(X.subarray(s * d, (s + len) * d), len, this.meanBuf, this.varBuf);
      for (let i = 0; i < len; i++) out[s + i] = this.acq.evaluate(this.meanBuf[i], this.varBuf[i]);
    }
    return out;
  }

  evaluateOne(x: Float64Array): number {
    return this.evaluateMany(x, 1)[0];
  }

  optimize(options: AcqOptimizeOptions): AcqCandidate | null {
    return this.optimizeAll(options).find((c) => !options.accept || options.accept(c.x)) ?? null;
  }

  /** All candidates, best first: local-search results, then the raw sweep. */
  optimizeAll(options: AcqOptimizeOptions): AcqCandidate[] {
    const { d, enc } = this;
    const rawSamples = options.rawSamples ?? Math.min(1024, 384 + 48 * d);
    const numRestarts = options.numRestarts ?? 5;
    const rng = new CounterRng(options.seed, 0x0acc_0000 + options.round);
    const anchors = options.anchors ?? [];
    const perAnchor = anchors.length ? Math.ceil(rawSamples / 4 / anchors.length) : 0;
    const total = rawSamples + perAnchor * anchors.length;
    const X = new Float64Array(total * d);
    const sobol = new SobolSequence(d, { seed: (options.seed * 7919 + options.round * 104729 + 17) % 2147483647 });
    for (let i = 0; i < rawSamples; i++) sobol.point(i, X, i * d);
    let row = rawSamples;
    for (const a of anchors) {
      for (let t = 0; t < perAnchor; t++, row++) {
        const scale = t % 2 === 0 ? 0.02 : 0.1;
        for (let k = 0; k < d; k++) {
          const card = enc.cardinality[k];
          if (card > 0) X[row * d + k] = rng.uniform() < 1 / d ? (rng.int(card) + 0.5) / card : a[k];
          else X[row * d + k] = a[k] + scale * rng.normal();
        }
      }
    }
    for (let i = 0; i < total; i++) snapPoint(enc, X, i * d);
    const values = this.evaluateMany(X, total);
    const order = Array.from({ length: total }, (_, i) => i).sort((i, j) => values[j] - values[i]);

    const raw: AcqCandidate[] = order.map((i) => ({ x: X.slice(i * d, (i + 1) * d), value: values[i] }));
    const starts: AcqCandidate[] = [];
    const seen = new Set<string>();
    for (const c of raw) {
      if (starts.length >= numRestarts) break;
      const key = Array.from(c.x).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      starts.push(c);
    }
    const local = starts.map((s) => this.localSearch(s, options.maxIter ?? 50));
    local.sort((a, b) => b.value - a.value);
    return [...local, ...raw];
  }

  private localSearch(start: AcqCandidate, maxIter: number): AcqCandidate {
    const { enc } = this;
    let x: Float64Array = start.x.slice();
    let value = start.value;
    const discreteOnly = enc.continuousDims.length === 0 || enc.continuousDims.every((k) => enc.kinds[k] === 'int');
    const rounds = discreteOnly ? 20 : 3;
    for (let r = 0; r < rounds; r++) {
      if (enc.continuousDims.length > 0 && !(discreteOnly && r > 0)) {
        const cont = this.continuousSearch(x, maxIter);
        snapPoint(enc, cont);
        const v = this.evaluateOne(cont);
        if (v > value) {
          x = cont;
          value = v;
        }
      }
      const nb = this.bestNeighbour(x);
      if (!nb || nb.value <= value + 1e-12 * Math.max(1, Math.abs(value))) break;
      x = nb.x;
      value = nb.value;
    }
    return { x, value };
  }

  /** L-BFGS over the continuous (and relaxed int) coordinates, others fixed. */
  private continuousSearch(x0: Float64Array, maxIter: number): Float64Array {
    const { enc, model, acq, pp, ag } = this;
    // Only the active coordinates move: the categoricals that decide activity are fixed here, and
    // snapPoint would put an inactive coordinate back anyway.
    const mask = activeMask(enc, x0);
    const dims = enc.continuousDims.filter((k) => mask[k] === 1);
    const x = x0.slice();
    if (dims.length === 0) return x;
    const z0 = Float64Array.from(dims, (k) => x[k]);
    const lower = new Float64Array(dims.length);
    const upper = new Float64Array(dims.length).fill(1);
    const r = minimizeLbfgs(
      (z, g) => {
        for (let t = 0; t < dims.length; t++) x[dims[t]] = z[t];
        model.predictWithGradient(x, pp);
        const v = acq.evaluate(pp.mean, pp.variance, ag);
        for (let t = 0; t < dims.length; t++) {
          const k = dims[t];
          g[t] = -(ag.dMean * pp.dMean[k] + ag.dVariance * pp.dVariance[k]);
        }
        return -v;
      },
      z0,
      { lower, upper, maxIter, gtol: 1e-7, ftol: 1e-10, memory: 6 },
    );
    for (let t = 0; t < dims.length; t++) x[dims[t]] = r.x[t];
    return x;
  }

  /** Best point among categorical alternatives and int +-1 moves of x. */
  private bestNeighbour(x: Float64Array): AcqCandidate | null {
    const { enc, d } = this;
    const moves: Float64Array[] = [];
    const mask = activeMask(enc, x);
    for (let k = 0; k < d; k++) {
      const p = enc.space[k];
      if (!mask[k]) continue;
      if (p.type === 'categorical') {
        const card = p.choices.length;
        const cur = Math.min(card - 1, Math.floor(x[k] * card));
        for (let c = 0; c < card; c++) {
          if (c === cur) continue;
          const y = x.slice();
          y[k] = (c + 0.5) / card;
          // A new choice may switch children on or off: they take their canonical values.
          snapPoint(enc, y);
          moves.push(y);
        }
      } else if (p.type === 'int') {
        const v = decodeValue(p, x[k]) as number;
        for (const step of [-1, 1]) {
          const w = v + step;
          if (w < p.low || w > p.high) continue;
          const y = x.slice();
          y[k] = encodeValue(p, w);
          moves.push(y);
        }
      }
    }
    if (moves.length === 0) return null;
    const X = new Float64Array(moves.length * d);
    moves.forEach((m, i) => X.set(m, i * d));
    const vals = this.evaluateMany(X, moves.length);
    let best = 0;
    for (let i = 1; i < moves.length; i++) if (vals[i] > vals[best]) best = i;
    return { x: moves[best], value: vals[best] };
  }
}
