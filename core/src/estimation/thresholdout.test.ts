import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { EstimationError, ThresholdoutBudgetExhaustedError } from './errors';
import { createThresholdout, thresholdoutQuery, type ThresholdoutState } from './thresholdout';

const CONFIG = { threshold: 0.04, sigma: 0.01, budget: 50, seed: 3 };

describe('Thresholdout mechanism', () => {
  it('answers the training value below the threshold and a noisy holdout value above it', () => {
    const noNoise = { uniform: () => 0.5 }; // Laplace draws are exactly 0
    const state = createThresholdout(CONFIG, noNoise);
    expect(state.noisyThreshold).toBe(0.04);
    const close = thresholdoutQuery(state, { train: 0.7, holdout: 0.68 }, noNoise);
    expect(close).toMatchObject({ value: 0.7, overThreshold: false, budgetRemaining: 50 });
    const far = thresholdoutQuery(close.state, { train: 0.7, holdout: 0.5 }, noNoise);
    expect(far).toMatchObject({ value: 0.5, overThreshold: true, budgetRemaining: 49 });
    expect(far.state.queries).toBe(2);
    expect(state.queries).toBe(0); // inputs are not modified
  });

  it('adds Laplace(sigma) noise to holdout answers', () => {
    let state = createThresholdout({ ...CONFIG, budget: 5000 });
    const errors: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = thresholdoutQuery(state, { train: 0.9, holdout: 0.5 });
      state = a.state;
      expect(a.overThreshold).toBe(true);
      errors.push(a.value - 0.5);
    }
    const meanAbs = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
    expect(meanAbs).toBeGreaterThan(0.009); // E|Lap(b)| = b = 0.01
    expect(meanAbs).toBeLessThan(0.011);
  });

  it('is deterministic given its state and survives a JSON round trip', () => {
    let a = createThresholdout(CONFIG);
    let b = JSON.parse(JSON.stringify(createThresholdout(CONFIG))) as ThresholdoutState;
    const rng = new CounterRng(1, 1);
    for (let i = 0; i < 30; i++) {
      const q = { train: 0.5 + 0.1 * rng.uniform(), holdout: 0.5 + 0.1 * rng.uniform() };
      const ra = thresholdoutQuery(a, q);
      const rb = thresholdoutQuery(b, q);
      expect(rb.value).toBe(ra.value);
      a = ra.state;
      b = JSON.parse(JSON.stringify(rb.state)) as ThresholdoutState;
    }
    expect(b).toEqual(a);
  });

  it('refuses with a typed error once the budget is spent', () => {
    let state = createThresholdout({ ...CONFIG, budget: 3 });
    for (let i = 0; i < 3; i++) state = thresholdoutQuery(state, { train: 1, holdout: 0 }).state;
    let thrown: unknown;
    try {
      thresholdoutQuery(state, { train: 0.5, holdout: 0.5 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ThresholdoutBudgetExhaustedError);
    expect(thrown).toBeInstanceOf(EstimationError);
    expect((thrown as EstimationError).code).toBe('budget-exhausted');
    expect(() => createThresholdout({ ...CONFIG, sigma: 0 })).toThrow(/sigma/);
  });
});

/**
 * The experiment of Dwork et al. (Science 2015, "The reusable holdout"), at its scale: n = 10,016
 * training, holdout and fresh points (a multiple of 32), d = 10,000 binary features with no
 * relation to the labels, T = 0.04, sigma = 0.01. The analyst keeps features whose correlation
 * with the label exceeds 1/sqrt(n) with the same sign on training and holdout, takes the k with the
 * largest training correlation and reports the holdout accuracy of sign(sum_j s_j x_j).
 * Queries are agreement rates in [0, 1] (= (1 + correlation) / 2), as Thresholdout assumes.
 */
interface BitData {
  readonly n: number;
  readonly words: number;
  /** Bit i of word w is sample 32 w + i; 1 means +1. */
  readonly labels: Uint32Array;
  /** Feature j occupies words [j * words, (j + 1) * words). */
  readonly features: Uint32Array;
}

function makeData(stream: number, n: number, d: number): BitData {
  const words = n / 32;
  const rng = new CounterRng(2015, stream);
  const draw = (): number => Math.floor(rng.uniform() * 4294967296);
  const labels = Uint32Array.from({ length: words }, draw);
  const features = new Uint32Array(d * words);
  for (let i = 0; i < features.length; i++) features[i] = draw();
  return { n, words, labels, features };
}

/** Fraction of samples on which each feature equals the label. */
function agreements(data: BitData, d: number): Float64Array {
  const out = new Float64Array(d);
  const { features, labels, words, n } = data;
  for (let j = 0; j < d; j++) {
    let disagree = 0;
    const off = j * words;
    for (let w = 0; w < words; w++) {
      let v = features[off + w] ^ labels[w];
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      disagree += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    out[j] = 1 - disagree / n;
  }
  return out;
}

function accuracy(data: BitData, feats: readonly number[], signs: readonly number[]): number {
  const score = new Int32Array(data.n);
  feats.forEach((j, q) => {
    const off = j * data.words;
    for (let w = 0; w < data.words; w++) {
      const word = data.features[off + w];
      for (let b = 0; b < 32; b++) score[w * 32 + b] += signs[q] * (((word >>> b) & 1) * 2 - 1);
    }
  });
  let correct = 0;
  for (let i = 0; i < data.n; i++) {
    const label = ((data.labels[i >>> 5] >>> (i & 31)) & 1) * 2 - 1;
    if ((score[i] >= 0 ? 1 : -1) === label) correct++;
  }
  return correct / data.n;
}

describe('adaptive overfitting experiment (Dwork et al.)', () => {
  it('plain holdout reuse reports accuracy well above 50%; Thresholdout stays near the true 50%', () => {
    const n = 10_016, d = 10_000;
    const train = makeData(0, n, d), holdout = makeData(1, n, d), fresh = makeData(2, n, d);
    const aTrain = agreements(train, d), aHoldout = agreements(holdout, d);
    const cut = 1 / Math.sqrt(n);
    const corr = (a: number): number => 2 * a - 1;
    const keep = (holdoutAgreement: (j: number) => number): number[] =>
      Array.from({ length: d }, (_, j) => j)
        .filter((j) => {
          const ct = corr(aTrain[j]), ch = corr(holdoutAgreement(j));
          return Math.abs(ct) > cut && Math.abs(ch) > cut && Math.sign(ct) === Math.sign(ch);
        })
        .sort((x, y) => Math.abs(corr(aTrain[y])) - Math.abs(corr(aTrain[x])));

    const plainPool = keep((j) => aHoldout[j]);
    let state = createThresholdout({ threshold: 0.04, sigma: 0.01, budget: 2500, seed: 7 });
    const answered = Array.from(aTrain, (a, j) => {
      const r = thresholdoutQuery(state, { train: a, holdout: aHoldout[j] });
      state = r.state;
      return r.value;
    });
    const guardedPool = keep((j) => answered[j]);

    const rows = [100, 200, 300, 400, 500].map((k) => {
      const plainFeats = plainPool.slice(0, k);
      const plainSigns = plainFeats.map((j) => Math.sign(corr(aTrain[j])));
      const feats = guardedPool.slice(0, k);
      const signs = feats.map((j) => Math.sign(corr(aTrain[j])));
      const trainAcc = accuracy(train, feats, signs);
      const holdoutAcc = accuracy(holdout, feats, signs);
      const reported = thresholdoutQuery(state, { train: trainAcc, holdout: holdoutAcc });
      state = reported.state;
      return {
        k,
        plainHoldout: accuracy(holdout, plainFeats, plainSigns),
        plainFresh: accuracy(fresh, plainFeats, plainSigns),
        thresholdoutTrain: trainAcc,
        thresholdoutReported: reported.value,
        thresholdoutFresh: accuracy(fresh, feats, signs),
      };
    });
    console.info('Dwork et al. experiment', { plainPool: plainPool.length, guardedPool: guardedPool.length, budgetUsed: state.budgetUsed }, rows);
    const mean = (key: keyof (typeof rows)[number]): number => rows.reduce((s, r) => s + r[key], 0) / rows.length;
    for (const r of rows) {
      expect(r.plainHoldout).toBeGreaterThan(0.55);
      expect(Math.abs(r.thresholdoutReported - 0.5)).toBeLessThan(0.03);
      expect(Math.abs(r.plainFresh - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(r.thresholdoutFresh - 0.5)).toBeLessThan(0.02);
    }
    expect(mean('plainHoldout')).toBeGreaterThan(0.58);
    expect(Math.abs(mean('thresholdoutReported') - 0.5)).toBeLessThan(0.015);
    expect(mean('thresholdoutTrain')).toBeGreaterThan(0.6); // the training set is overfit; Thresholdout does not echo it
  });
});
