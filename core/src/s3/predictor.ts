import { GpModel, fitGp } from '../bo/gp';
import { Matern52Kernel } from '../bo/kernel';
import { cholSolveInPlace, choleskyWithJitter } from '../bo/linalg';
import { CounterRng } from '../rng';
import { kendall, spearman } from './rank';

/**
 * Predictors from a schedule encoding (encoding.ts, coordinates in [0, 1]) to the metric,
 * trained on every evaluated schedule of an NFE group. Only the ORDER of predictions matters
 * (the search keeps the predicted best), so they are judged by held-out rank correlation.
 * Targets are log values (errors span decades) standardized; failed evaluations (NaN) count as
 * a little worse than the worst success, so the search learns to avoid what breaks.
 *
 *   gp        exact GP, Matern-5/2 ARD over the encoding (core/src/bo/gp.ts), posterior mean
 *   mlp-rank  ensemble of small tanh MLPs trained with a pairwise logistic ranking loss
 *   ridge     ridge regression on the encoding (the cheap baseline)
 *   constant  fewer than MIN_TRAIN points: every prediction equal (no ordering claimed)
 */

export const PREDICTOR_NAMES = ['gp', 'mlp-rank', 'ridge'] as const;
export type PredictorName = (typeof PREDICTOR_NAMES)[number];

/** Below this many usable points no model is fitted. */
export const MIN_TRAIN = 5;

export interface FittedPredictor {
  name: PredictorName | 'constant';
  /** Predicted standardized log metric (lower is better) for m rows of X. */
  predict(X: Float64Array, m: number): Float64Array;
  /** Predictive standard deviation, when the model has one (GP). */
  std?(X: Float64Array, m: number): Float64Array;
  /** GP hyperparameters, for cross-validation at fixed hyperparameters. */
  theta?: Float64Array;
}

/** log values standardized; NaN or non-positive mapped just past the worst finite value. */
export function targets(values: ArrayLike<number>): Float64Array {
  const logs = Array.from(values, (v) => (Number.isFinite(v) && v > 0 ? Math.log(v) : NaN));
  const finite = logs.filter(Number.isFinite);
  const worst = finite.length ? Math.max(...finite) : 0;
  const best = finite.length ? Math.min(...finite) : 0;
  const filled = logs.map((l) => (Number.isFinite(l) ? l : worst + 0.25 * Math.max(0.5, worst - best)));
  const mean = filled.reduce((a, b) => a + b, 0) / Math.max(1, filled.length);
  const sd = Math.sqrt(filled.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, filled.length)) || 1;
  return Float64Array.from(filled, (l) => (l - mean) / sd);
}

function constant(): FittedPredictor {
  return { name: 'constant', predict: (_X, m) => new Float64Array(m) };
}

function fitGpPredictor(X: Float64Array, n: number, d: number, y: Float64Array, seed: number): FittedPredictor {
  const model = fitGp(new Matern52Kernel(d), { X, n, d, y }, { seed, restarts: 2 });
  const run = (Xq: Float64Array, m: number) => {
    const mean = new Float64Array(m), variance = new Float64Array(m);
    model.predict(Xq, m, mean, variance);
    return { mean, variance };
  };
  return {
    name: 'gp',
    predict: (Xq, m) => run(Xq, m).mean,
    std: (Xq, m) => run(Xq, m).variance.map(Math.sqrt),
    theta: model.theta,
  };
}

/** A GP at given hyperparameters (no fit): conditioning only, O(n^3) once. */
function conditionedGp(X: Float64Array, n: number, d: number, y: Float64Array, theta: Float64Array): FittedPredictor {
  const model = GpModel.condition(new Matern52Kernel(d), { X, n, d, y }, theta);
  return {
    name: 'gp',
    predict: (Xq, m) => {
      const mean = new Float64Array(m), variance = new Float64Array(m);
      model.predict(Xq, m, mean, variance);
      return mean;
    },
  };
}

function fitRidge(X: Float64Array, n: number, d: number, y: Float64Array): FittedPredictor {
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mu[k] += X[i * d + k] / n;
  const A = new Float64Array(d * d), b = new Float64Array(d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) row[k] = X[i * d + k] - mu[k];
    for (let k = 0; k < d; k++) {
      b[k] += row[k] * y[i];
      if (row[k] === 0) continue;
      for (let l = 0; l < d; l++) A[k * d + l] += row[k] * row[l];
    }
  }
  const lambda = 1 + 0.01 * n;
  for (let k = 0; k < d; k++) A[k * d + k] += lambda;
  const L = new Float64Array(d * d);
  const fac = choleskyWithJitter(A, d, L);
  if (!fac.ok) return constant();
  cholSolveInPlace(L, d, b);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += y[i] / n;
  return {
    name: 'ridge',
    predict: (Xq, m) => {
      const out = new Float64Array(m);
      for (let q = 0; q < m; q++) {
        let s = ybar;
        for (let k = 0; k < d; k++) s += (Xq[q * d + k] - mu[k]) * b[k];
        out[q] = s;
      }
      return out;
    },
  };
}

interface Mlp {
  W1: Float64Array; b1: Float64Array; w2: Float64Array;
}

const HIDDEN = 16, MEMBERS = 3, EPOCHS = 120, LR = 0.01;

function mlpForward(net: Mlp, X: Float64Array, q: number, d: number, h: Float64Array): number {
  let out = 0;
  for (let u = 0; u < HIDDEN; u++) {
    let s = net.b1[u];
    const wo = u * d, xo = q * d;
    for (let k = 0; k < d; k++) s += net.W1[wo + k] * X[xo + k];
    h[u] = Math.tanh(s);
    out += net.w2[u] * h[u];
  }
  return out;
}

/**
 * One member: full-batch Adam on L = mean over pairs (y_i < y_j) of softplus(f_i - f_j), plus
 * a small weight decay. Pairs are all pairs (n^2/2 scalar terms, cheap next to the forward passes).
 */
function trainMlp(X: Float64Array, n: number, d: number, y: Float64Array, rng: CounterRng): Mlp {
  const net: Mlp = {
    W1: Float64Array.from({ length: HIDDEN * d }, () => rng.normal() * Math.sqrt(1 / d) * 2),
    b1: Float64Array.from({ length: HIDDEN }, () => 0.1 * rng.normal()),
    w2: Float64Array.from({ length: HIDDEN }, () => rng.normal() / Math.sqrt(HIDDEN)),
  };
  const params = [net.W1, net.b1, net.w2];
  const m1 = params.map((p) => new Float64Array(p.length)), m2 = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const H = new Float64Array(n * HIDDEN), f = new Float64Array(n), gf = new Float64Array(n);
  const hb = new Float64Array(HIDDEN);
  let pairs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] < y[j]) pairs++;
  if (pairs === 0) return net;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    for (let i = 0; i < n; i++) {
      f[i] = mlpForward(net, X, i, d, hb);
      H.set(hb, i * HIDDEN);
    }
    gf.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (!(y[i] < y[j])) continue;
        // d softplus(f_i - f_j) = sigmoid(f_i - f_j)
        const s = 1 / (1 + Math.exp(-(f[i] - f[j]))) / pairs;
        gf[i] += s;
        gf[j] -= s;
      }
    }
    for (const g of grads) g.fill(0);
    const [gW1, gb1, gw2] = grads;
    for (let i = 0; i < n; i++) {
      if (gf[i] === 0) continue;
      for (let u = 0; u < HIDDEN; u++) {
        const hu = H[i * HIDDEN + u];
        gw2[u] += gf[i] * hu;
        const back = gf[i] * net.w2[u] * (1 - hu * hu);
        gb1[u] += back;
        const wo = u * d, xo = i * d;
        for (let k = 0; k < d; k++) gW1[wo + k] += back * X[xo + k];
      }
    }
    const b1c = 1 - 0.9 ** epoch, b2c = 1 - 0.999 ** epoch;
    params.forEach((p, t) => {
      const g = grads[t], a = m1[t], v = m2[t];
      for (let k = 0; k < p.length; k++) {
        const gk = g[k] + 1e-4 * p[k];
        a[k] = 0.9 * a[k] + 0.1 * gk;
        v[k] = 0.999 * v[k] + 0.001 * gk * gk;
        p[k] -= (LR * (a[k] / b1c)) / (Math.sqrt(v[k] / b2c) + 1e-8);
      }
    });
  }
  return net;
}

function fitMlpRank(X: Float64Array, n: number, d: number, y: Float64Array, seed: number): FittedPredictor {
  const rng = new CounterRng(seed, 0x6d6c70);
  const nets = Array.from({ length: MEMBERS }, () => trainMlp(X, n, d, y, rng));
  return {
    name: 'mlp-rank',
    predict: (Xq, m) => {
      const out = new Float64Array(m), hb = new Float64Array(HIDDEN);
      for (let q = 0; q < m; q++) {
        let s = 0;
        for (const net of nets) s += mlpForward(net, Xq, q, d, hb);
        out[q] = s / MEMBERS;
      }
      return out;
    },
  };
}

/** Fit `name` on n rows of X (d columns) with metric values (NaN = failed). */
export function fitPredictor(name: PredictorName, X: Float64Array, n: number, d: number, values: ArrayLike<number>, seed = 0): FittedPredictor {
  if (n < MIN_TRAIN) return constant();
  const y = targets(values);
  if (y.every((v) => v === y[0])) return constant();
  switch (name) {
    case 'gp':
      try {
        return fitGpPredictor(X, n, d, y, seed);
      } catch {
        return fitRidge(X, n, d, y);
      }
    case 'ridge':
      return fitRidge(X, n, d, y);
    case 'mlp-rank':
      return fitMlpRank(X, n, d, y, seed);
    default:
      throw new RangeError(`unknown predictor "${String(name)}"; use one of ${PREDICTOR_NAMES.join(', ')}`);
  }
}

export interface HeldOut {
  /** NaN when there were too few points to hold any out. */
  spearman: number;
  kendall: number;
  /** Points whose held-out prediction was scored. */
  n: number;
}

/**
 * k-fold cross-validated rank correlation: each point is predicted by a model that never saw
 * it, and all held-out predictions are ranked against the observed values together. Folds are a
 * seeded permutation, so the figure is reproducible.
 */
export interface CrossValidateOptions {
  folds?: number;
  /**
   * GP only: condition each fold's model on the hyperparameters of this full-data fit instead of
   * refitting them per fold. Five times cheaper (what a stage reports); the held-out points then
   * influenced the hyperparameters, though not the fold's posterior. Comparisons refit.
   */
  fixedGp?: FittedPredictor;
}

export function crossValidate(name: PredictorName, X: Float64Array, n: number, d: number, values: ArrayLike<number>, seed = 0, options: CrossValidateOptions = {}): HeldOut {
  const folds = options.folds ?? 5;
  if (n < MIN_TRAIN + 2) return { spearman: NaN, kendall: NaN, n: 0 };
  const k = Math.min(folds, n);
  const rng = new CounterRng(seed, 0x6376);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const y = Array.from(values);
  const pred = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    const test = order.filter((_, i) => i % k === f), train = order.filter((_, i) => i % k !== f);
    const Xtr = new Float64Array(train.length * d), Xte = new Float64Array(test.length * d);
    train.forEach((i, r) => Xtr.set(X.subarray(i * d, (i + 1) * d), r * d));
    test.forEach((i, r) => Xte.set(X.subarray(i * d, (i + 1) * d), r * d));
    const ytr = train.map((i) => y[i]);
    const theta = options.fixedGp?.theta;
    const model = name === 'gp' && theta && train.length >= MIN_TRAIN
      ? conditionedGp(Xtr, train.length, d, targets(ytr), theta)
      : fitPredictor(name, Xtr, train.length, d, ytr, seed + f);
    const p = model.predict(Xte, test.length);
    test.forEach((i, r) => (pred[i] = p[r]));
  }
  const obs = targets(values);
  return { spearman: spearman(pred, obs), kendall: kendall(pred, obs), n };
}
