import type { TParams, TSpace } from '../config/space';
import { CounterRng } from '../rng';
import { createEncoding, decodePoint, encodeParams, paramsKey, snapPoint } from './encoding';
import { fitGp } from './gp';
import { Matern52Kernel } from './kernel';
import { hypervolume, paretoFront, type ObjectiveDirection } from './pareto';
import { sobolDesign } from './sobol';

/**
 * Expected hypervolume improvement (EHVI) by Monte Carlo over a candidate set: one Matérn-5/2 GP
 * per objective (independent), the improvement of the hypervolume dominated by the observed front
 * (plus the posterior means of pending points: kriging believer) averaged over fixed normal draws
 * of each candidate's objectives, and the candidate with the largest expectation proposed. The
 * candidates are a Sobol sweep of the cube and Gaussian moves around the front's points. The
 * reference point is the observed nadir moved 10% of each objective's range further, in the
 * standardized minimisation space the GPs model. Model-based proposals only: the caller keeps
 * the initial design (and falls back where this returns null).
 */

export interface EhviInput {
  space: TSpace;
  /** Finite objective vectors in objectives order (failed trials left out) with their params. */
  observations: Array<{ params: TParams; values: number[] }>;
  /** Params already proposed or observed (never proposed again); pending ones also fantasized. */
  taken: TParams[];
  pending: TParams[];
  directions: readonly ObjectiveDirection[];
  seed: number;
  /** Trial number of the proposal (fixes its random streams). */
  number: number;
  /** Candidates of the Sobol sweep (default 1024; 256 above two objectives, whose HVI costs more). */
  candidates?: number;
  /** Monte Carlo draws per candidate (default 64). */
  samples?: number;
  /** Most observations the GPs are fitted on (default 400, as the single-objective GP): the front, then an even spread. */
  maxModelPoints?: number;
  /** Each objective's GP hyperparameters from the previous proposal (warm starts: a cold fit is the slow part). */
  warmStart?: number[][] | null;
}

export interface EhviProposal {
  params: TParams;
  /** The Monte Carlo EHVI of the proposal, in standardized units. */
  ehvi: number;
  /** The fitted hyperparameters per objective (the next proposal's warm start). */
  thetas: number[][];
}

const STREAM = { sobol: 0x6100_0000, moves: 0x6200_0000, draws: 0x6300_0000, fit: 0x6400_0000 };

export function proposeEhvi(input: EhviInput): EhviProposal | null {
  const m = input.directions.length;
  const enc = createEncoding(input.space);
  const d = enc.dim;
  const observations = limitObservations(input.observations, input.directions, input.maxModelPoints ?? 400);
  const n = observations.length;
  if (n < 2) return null;
  const X = new Float64Array(n * d);
  observations.forEach((o, i) => encodeParams(enc, o.params, X.subarray(i * d, (i + 1) * d)));
  // Minimisation, standardized per objective.
  const Y = input.directions.map((dir, k) => {
    const raw = observations.map((o) => (dir === 'maximize' ? -o.values[k] : o.values[k]));
    const mu = raw.reduce((a, b) => a + b, 0) / n;
    let sd = Math.sqrt(raw.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, n - 1));
    if (!(sd > 1e-12)) sd = 1;
    return Float64Array.from(raw, (v) => (v - mu) / sd);
  });
  const models = Y.map((y, k) => {
    const kernel = new Matern52Kernel(d, enc.categoricalDims);
    const warm = input.warmStart?.[k];
    const warmStart = warm && warm.length === kernel.nParams + 2 ? warm : null;
    return fitGp(kernel, { X, n, d, y }, { warmStart, restarts: warmStart ? 1 : 2, seed: (input.seed + STREAM.fit + 97 * input.number + k) % 2147483647 });
  });
  const ref = Y.map((y) => {
    let lo = Infinity, hi = -Infinity;
    for (const v of y) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return hi + 0.1 * Math.max(hi - lo, 1e-6);
  });
  const rows: number[][] = Array.from({ length: n }, (_, i) => Y.map((y) => y[i]));
  // Pending points count as their posterior means (kriging believer), so a batch spreads out.
  if (input.pending.length) {
    const P = new Float64Array(input.pending.length * d);
    input.pending.forEach((p, i) => encodeParams(enc, p, P.subarray(i * d, (i + 1) * d)));
    const means = models.map(() => new Float64Array(input.pending.length));
    const vars = new Float64Array(input.pending.length);
    models.forEach((g, k) => g.predict(P, input.pending.length, means[k], vars));
    for (let i = 0; i < input.pending.length; i++) rows.push(means.map((mk) => mk[i]));
  }
  const front = nonDominated(rows);
  const minimize = ref.map(() => 'minimize' as const);
  const baseHv = hypervolume(front, ref, minimize);

  // Candidates: a Sobol sweep and moves around the front's observed points.
  const count = input.candidates ?? (m > 2 ? 256 : 1024);
  const cand: Float64Array[] = [];
  const sweep = sobolDesign(d, count, (input.seed + STREAM.sobol + input.number) % 2147483647);
  for (let c = 0; c < count; c++) cand.push(sweep.slice(c * d, (c + 1) * d));
  const moveRng = new CounterRng(input.seed, STREAM.moves + input.number);
  const frontObs = rows.slice(0, n).map((r, i) => ({ r, i })).filter(({ r }) => front.some((f) => f === r)).map(({ i }) => i);
  for (const i of frontObs) {
    for (let t = 0; t < 16; t++) {
      const u = X.slice(i * d, (i + 1) * d);
      const scale = t < 8 ? 0.02 : 0.1;
      for (let j = 0; j < d; j++) u[j] = Math.min(1, Math.max(0, u[j] + scale * moveRng.normal()));
      cand.push(u);
    }
  }
  const taken = new Set(input.taken.map((p) => paramsKey(enc, p)));
  const C = new Float64Array(cand.length * d);
  cand.forEach((u, c) => {
    snapPoint(enc, u);
    C.set(u, c * d);
  });
  const means = models.map(() => new Float64Array(cand.length));
  const vars = models.map(() => new Float64Array(cand.length));
  models.forEach((g, k) => g.predict(C, cand.length, means[k], vars[k]));

  const S = input.samples ?? 64;
  const drawRng = new CounterRng(input.seed, STREAM.draws + input.number);
  // The same draws for every candidate (common random numbers): EHVI differences are less noisy.
  const z = Array.from({ length: S }, () => Array.from({ length: m }, () => drawRng.normal()));
  let best: { c: number; ehvi: number; key: string } | null = null;
  const y = new Array<number>(m);
  for (let c = 0; c < cand.length; c++) {
    let sum = 0;
    for (let s = 0; s < S; s++) {
      for (let k = 0; k < m; k++) y[k] = means[k][c] + Math.sqrt(Math.max(vars[k][c], 0)) * z[s][k];
      sum += improvement(front, y, ref, baseHv);
    }
    const ehvi = sum / S;
    if (best !== null && ehvi <= best.ehvi) continue;
    const params = decodePoint(enc, C, c * d);
    const key = paramsKey(enc, params);
    if (taken.has(key)) continue;
    best = { c, ehvi, key };
  }
  if (best === null || !(best.ehvi > 0)) return null;
  return { params: decodePoint(enc, C, best.c * d), ehvi: best.ehvi, thetas: models.map((g) => Array.from(g.theta)) };
}

/** Hypervolume added by point y to the front (minimisation); 0 when the front already dominates it. */
function improvement(front: number[][], y: number[], ref: number[], baseHv: number): number {
  for (let k = 0; k < y.length; k++) if (!(y[k] < ref[k])) return 0;
  for (const f of front) {
    let dominated = true;
    for (let k = 0; k < y.length && dominated; k++) if (f[k] > y[k]) dominated = false;
    if (dominated) return 0;
  }
  return Math.max(0, hypervolume([...front, [...y]], ref, y.map(() => 'minimize' as const)) - baseHv);
}

/**
 * At most `cap` observations (an exact GP costs n^3 per fit): every front point (up to the cap),
 * then every k-th of the others, in the original order.
 */
function limitObservations<T extends { values: number[] }>(obs: T[], directions: readonly ObjectiveDirection[], cap: number): T[] {
  if (obs.length <= cap) return obs;
  const keep = new Set(paretoFront(obs.map((o) => o.values), directions).slice(0, cap));
  const rest = obs.map((_, i) => i).filter((i) => !keep.has(i));
  const need = cap - keep.size;
  for (let t = 0; t < need; t++) keep.add(rest[Math.floor((t * rest.length) / need)]);
  return obs.filter((_, i) => keep.has(i));
}

function nonDominated(rows: number[][]): number[][] {
  return rows.filter((r, i) => !rows.some((o, j) => j !== i && o.every((v, k) => v <= r[k]) && o.some((v, k) => v < r[k])));
}
