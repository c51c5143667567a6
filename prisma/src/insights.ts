import {
  Matern52Kernel, GpModel, assertRunningStats, createEncoding, encodeParams, fitGp, mergeStats, tInterval,
  type GpData, type RunningStats, type SpaceEncoding, type TParam, type TParamValue, type TParams, type TSpace,
} from '@stepwise/core';
// Type-only: the pure half of this file (block merging, surrogate grids, sampling) is imported by
// the dashboard's in-memory service, which must not load the Prisma client.
import type { DbOrTx } from './client';
import type { Prisma } from './generated/client';

/**
 * Read-only views for the dashboard: a trial's estimate block by block, the GP surrogate of a
 * study on a 2-D slice, and an evenly thinned sample of trials for parallel coordinates.
 * Query functions take a Db; everything else is pure and shared with the test double.
 */

// ---- blocks --------------------------------------------------------------------------------

export interface BlockStatsInput {
  blockIndex: number;
  seedStart: number;
  seedEnd: number;
  /** RunningStats JSON ({ n, mean, m2 }) of the per-sample metric in this block. */
  stats: unknown;
  createdAt?: Date | null;
}

export interface BlockSeriesPoint {
  blockIndex: number;
  seedStart: number;
  seedEnd: number;
  /** Samples and mean of this block alone. */
  blockN: number;
  blockMean: number;
  /** The merged estimate after this block. */
  n: number;
  mean: number;
  /** Null below two samples. */
  stderr: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  halfWidth: number | null;
  createdAt: Date | null;
}

/**
 * The running estimate after each block, blocks taken in index order: statistics merged with
 * mergeStats (exact, order-independent), a Student-t interval at `confidence`. A block whose
 * stats are malformed is skipped rather than poisoning every later point.
 */
export function mergeBlockSequence(blocks: readonly BlockStatsInput[], confidence = 0.95): BlockSeriesPoint[] {
  const sorted = [...blocks].sort((a, b) => a.blockIndex - b.blockIndex);
  const out: BlockSeriesPoint[] = [];
  let acc: RunningStats = { n: 0, mean: 0, m2: 0 };
  for (const b of sorted) {
    try {
      assertRunningStats(b.stats);
    } catch {
      continue;
    }
    const s = b.stats as RunningStats;
    acc = mergeStats(acc, s);
    let stderr: number | null = null, ciLow: number | null = null, ciHigh: number | null = null, halfWidth: number | null = null;
    if (acc.n >= 2) {
      const est = tInterval(acc, confidence);
      ({ stderr, ciLow, ciHigh, halfWidth } = est);
    }
    out.push({
      blockIndex: b.blockIndex,
      seedStart: b.seedStart,
      seedEnd: b.seedEnd,
      blockN: s.n,
      blockMean: s.mean,
      n: acc.n,
      mean: acc.mean,
      stderr,
      ciLow,
      ciHigh,
      halfWidth,
      createdAt: b.createdAt ?? null,
    });
  }
  return out;
}

// ---- sampling ------------------------------------------------------------------------------

/** At most `limit` items spread evenly over `items` (first one kept, order kept). */
export function sampleEvenly<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  if (limit <= 0) return [];
  const out: T[] = [];
  for (let k = 0; k < limit; k++) out.push(items[Math.floor((k * items.length) / limit)]);
  return out;
}

// ---- surrogate -----------------------------------------------------------------------------

export interface SurrogateObservation {
  number: number;
  params: TParams;
  value: number;
  stderr: number | null;
}

/** Most points the surrogate conditions on, and most its hyperparameters are fitted on. */
export const SURROGATE_MAX_POINTS = 300;
export const SURROGATE_FIT_POINTS = 120;

/** The best half of `cap` by value plus an even spread of the rest, in the original order. */
export function selectSurrogatePoints(obs: readonly SurrogateObservation[], cap: number, direction: 'minimize' | 'maximize'): SurrogateObservation[] {
  if (obs.length <= cap) return [...obs];
  const sign = direction === 'maximize' ? -1 : 1;
  const order = obs.map((_, i) => i).sort((a, b) => sign * (obs[a].value - obs[b].value));
  const keep = new Set(order.slice(0, Math.floor(cap / 2)));
  const rest = order.slice(Math.floor(cap / 2)).sort((a, b) => a - b);
  for (const i of sampleEvenly(rest, cap - keep.size)) keep.add(i);
  return obs.filter((_, i) => keep.has(i));
}

export interface SurrogateFit {
  space: TSpace;
  enc: SpaceEncoding;
  model: GpModel;
  /** Model outputs are (sign * value - mu) / sd. */
  mu: number;
  sd: number;
  sign: 1 | -1;
  used: SurrogateObservation[];
  /** Whether the hyperparameters came from the study's own optimizer state. */
  warm: boolean;
}

function warmTheta(state: unknown, dim: number, nParams: number): number[] | null {
  const gp = (state as { gp?: { kernel?: unknown; dim?: unknown; theta?: unknown } } | null)?.gp;
  if (!gp || gp.kernel !== 'matern52' || gp.dim !== dim || !Array.isArray(gp.theta) || gp.theta.length !== nParams + 2) return null;
  return gp.theta.every((t) => typeof t === 'number' && Number.isFinite(t)) ? (gp.theta as number[]) : null;
}

/**
 * A Matérn-5/2 GP over the whole space, on the same scale the optimizer uses (sign-flipped for
 * maximisation, standardized). With the study's BoState the optimizer's hyperparameters are
 * reused as they are; otherwise they are fitted on at most SURROGATE_FIT_POINTS points (the fit is
 * O(n^3) per step), and the model is then conditioned on every selected point.
 * Null below three usable observations.
 */
export function fitSurrogate(
  space: TSpace,
  observations: readonly SurrogateObservation[],
  direction: 'minimize' | 'maximize',
  opts: { state?: unknown; maxPoints?: number; fitPoints?: number; seed?: number } = {},
): SurrogateFit | null {
  const enc = createEncoding(space);
  const sign: 1 | -1 = direction === 'maximize' ? -1 : 1;
  const usable: Array<{ o: SurrogateObservation; x: Float64Array }> = [];
  for (const o of observations) {
    if (!Number.isFinite(o.value)) continue;
    try {
      usable.push({ o, x: encodeParams(enc, o.params) });
    } catch {
      // Stale parameters (the space changed): not a point of this surface.
    }
  }
  if (usable.length < 3) return null;
  const picked = selectSurrogatePoints(usable.map((u) => u.o), opts.maxPoints ?? SURROGATE_MAX_POINTS, direction);
  const pickedSet = new Set(picked);
  const rows = usable.filter((u) => pickedSet.has(u.o));
  const n = rows.length, d = enc.dim;
  let mu = 0;
  for (const r of rows) mu += (sign * r.o.value) / n;
  let sd = 0;
  for (const r of rows) sd += (sign * r.o.value - mu) ** 2 / (n - 1);
  sd = Math.sqrt(sd);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mu)))) sd = 1;
  const toData = (subset: typeof rows): GpData => {
    const X = new Float64Array(subset.length * d);
    const y = new Float64Array(subset.length);
    subset.forEach((r, i) => {
      X.set(r.x, i * d);
      y[i] = (sign * r.o.value - mu) / sd;
    });
    const data: GpData = { X, n: subset.length, d, y };
    if (subset.some((r) => r.o.stderr !== null && r.o.stderr > 0)) {
      data.knownNoise = Float64Array.from(subset, (r) => (r.o.stderr !== null && r.o.stderr > 0 ? (r.o.stderr / sd) ** 2 : 0));
    }
    return data;
  };
  const kernel = new Matern52Kernel(d, enc.categoricalDims);
  const data = toData(rows);
  const warm = warmTheta(opts.state, d, kernel.nParams);
  let theta: ArrayLike<number>;
  if (warm) theta = warm;
  else {
    const fitRows = selectSurrogatePoints(rows.map((r) => r.o), opts.fitPoints ?? SURROGATE_FIT_POINTS, direction);
    const fitSet = new Set(fitRows);
    theta = fitGp(kernel, toData(rows.filter((r) => fitSet.has(r.o))), { restarts: 2, maxIter: 40, seed: opts.seed ?? 0 }).theta;
  }
  let model: GpModel;
  try {
    model = GpModel.condition(kernel, data, theta);
  } catch {
    return null;
  }
  return { space, enc, model, mu, sd, sign, used: rows.map((r) => r.o), warm: !!warm };
}

export interface FieldProblem {
  field: string;
  message: string;
}

function numericParam(space: TSpace, name: string): Extract<TParam, { type: 'float' | 'int' }> | null {
  const p = space.find((q) => q.name === name);
  return p && p.type !== 'categorical' ? p : null;
}

/** Problems with the two axes of a surrogate slice, by input field ("x", "y"). */
export function surrogateAxisIssues(space: TSpace, x: string, y: string): FieldProblem[] {
  const numeric = space.filter((p) => p.type !== 'categorical').map((p) => p.name);
  const issues: FieldProblem[] = [];
  for (const [field, name] of [['x', x], ['y', y]] as const) {
    const p = space.find((q) => q.name === name);
    if (!p) issues.push({ field, message: `"${name}" is not a parameter of this study; choose one of ${numeric.join(', ') || '(none: no float or int parameter)'}` });
    else if (p.type === 'categorical') issues.push({ field, message: `"${name}" is categorical; the surface needs a float or int parameter (${numeric.join(', ')})` });
  }
  if (issues.length === 0 && x === y) issues.push({ field: 'y', message: `choose a parameter other than "${x}"` });
  return issues;
}

export interface SurrogateAxisOut {
  name: string;
  type: 'float' | 'int';
  low: number;
  high: number;
  log: boolean;
  /** Grid coordinates along this axis (resolution of them, log-spaced for log parameters). */
  values: number[];
}

export function surrogateAxis(p: Extract<TParam, { type: 'float' | 'int' }>, resolution: number): SurrogateAxisOut {
  const values = Array.from({ length: resolution }, (_, i) => {
    const u = resolution === 1 ? 0.5 : i / (resolution - 1);
    return p.log ? Math.exp(Math.log(p.low) + u * (Math.log(p.high) - Math.log(p.low))) : p.low + u * (p.high - p.low);
  });
  return { name: p.name, type: p.type, low: p.low, high: p.high, log: p.log, values };
}

/** A valid value of every parameter: `from` where it fits the space, else the middle / first choice. */
export function completeParams(space: TSpace, from: TParams | null | undefined): TParams {
  const out: TParams = {};
  for (const p of space) {
    const v: TParamValue | undefined = from?.[p.name];
    if (p.type === 'categorical') out[p.name] = v !== undefined && p.choices.includes(v) ? v : p.choices[0];
    else if (typeof v === 'number' && Number.isFinite(v) && v >= p.low && v <= p.high) out[p.name] = v;
    else out[p.name] = p.log ? Math.sqrt(p.low * p.high) : p.type === 'int' ? Math.round((p.low + p.high) / 2) : (p.low + p.high) / 2;
  }
  return out;
}

export interface SurrogateSliceOut {
  x: SurrogateAxisOut;
  y: SurrogateAxisOut;
  /** Posterior mean and standard deviation in objective units, [iy][ix]. */
  mean: number[][];
  std: number[][];
  /** Values of the other parameters on the slice. */
  fixed: TParams;
  observations: Array<{ number: number; x: number; y: number; value: number }>;
}

/**
 * Posterior mean and std of the latent objective on a resolution x resolution grid over (x, y),
 * every other parameter at `fixed`. Callers check the axes with surrogateAxisIssues first.
 */
export function surrogateSlice(fit: SurrogateFit, xName: string, yName: string, fixedFrom: TParams | null, resolution: number): SurrogateSliceOut {
  const px = numericParam(fit.space, xName), py = numericParam(fit.space, yName);
  if (!px || !py) throw new RangeError(`surrogateSlice: ${xName} and ${yName} must be float or int parameters`);
  const fixed = completeParams(fit.space, fixedFrom);
  const xAxis = surrogateAxis(px, resolution), yAxis = surrogateAxis(py, resolution);
  const { enc } = fit;
  const d = enc.dim;
  const base = encodeParams(enc, fixed);
  const kx = fit.space.indexOf(px), ky = fit.space.indexOf(py);
  const ux = xAxis.values.map((v) => encodeParams(createEncoding([px]), { [px.name]: v })[0]);
  const uy = yAxis.values.map((v) => encodeParams(createEncoding([py]), { [py.name]: v })[0]);
  const m = resolution * resolution;
  const Xq = new Float64Array(m * d);
  for (let iy = 0; iy < resolution; iy++) {
    for (let ix = 0; ix < resolution; ix++) {
      const o = (iy * resolution + ix) * d;
      Xq.set(base, o);
      Xq[o + kx] = ux[ix];
      Xq[o + ky] = uy[iy];
    }
  }
  const mean = new Float64Array(m), variance = new Float64Array(m);
  fit.model.predict(Xq, m, mean, variance);
  const meanRows: number[][] = [], stdRows: number[][] = [];
  for (let iy = 0; iy < resolution; iy++) {
    const mr: number[] = [], sr: number[] = [];
    for (let ix = 0; ix < resolution; ix++) {
      const q = iy * resolution + ix;
      mr.push(fit.sign * (fit.mu + fit.sd * mean[q]));
      sr.push(fit.sd * Math.sqrt(Math.max(0, variance[q])));
    }
    meanRows.push(mr);
    stdRows.push(sr);
  }
  const observations = fit.used.flatMap((o) => {
    const vx = o.params[px.name], vy = o.params[py.name];
    return typeof vx === 'number' && typeof vy === 'number' ? [{ number: o.number, x: vx, y: vy, value: o.value }] : [];
  });
  return { x: xAxis, y: yAxis, mean: meanRows, std: stdRows, fixed, observations };
}

/** The slice before there is a model: axes only. */
export function emptySurrogateSlice(space: TSpace, xName: string, yName: string, resolution: number): SurrogateSliceOut {
  const px = numericParam(space, xName), py = numericParam(space, yName);
  if (!px || !py) throw new RangeError(`emptySurrogateSlice: ${xName} and ${yName} must be float or int parameters`);
  return { x: surrogateAxis(px, resolution), y: surrogateAxis(py, resolution), mean: [], std: [], fixed: {}, observations: [] };
}

export function surrogateWaitingMessage(completed: number): string {
  return `the surrogate needs at least 3 completed trials with a value (${completed} so far)`;
}

// ---- parallel coordinates ------------------------------------------------------------------

export interface ParallelAxisOut {
  name: string;
  type: 'float' | 'int' | 'categorical';
  low: number | null;
  high: number | null;
  log: boolean;
  choices: TParamValue[] | null;
}

export function parallelAxes(space: TSpace): ParallelAxisOut[] {
  return space.map((p) =>
    p.type === 'categorical'
      ? { name: p.name, type: p.type, low: null, high: null, log: false, choices: [...p.choices] }
      : { name: p.name, type: p.type, low: p.low, high: p.high, log: p.log, choices: null },
  );
}

// ---- queries -------------------------------------------------------------------------------

export type InsightTrialRow = Prisma.TrialGetPayload<object>;

export async function findTrialRowByNumber(db: DbOrTx, studyId: string, number: number): Promise<InsightTrialRow | null> {
  return db.trial.findUnique({ where: { studyId_number: { studyId, number } } });
}

/** A trial with its seed blocks in order and its study's config; null when there is no such trial. */
export async function trialBlockSource(db: DbOrTx, trialId: string): Promise<{
  trial: { id: string; studyId: string; number: number; status: InsightTrialRow['status']; value: number | null; ciLow: number | null; ciHigh: number | null; n: number | null };
  config: unknown;
  blocks: BlockStatsInput[];
} | null> {
  const row = await db.trial.findUnique({
    where: { id: trialId },
    select: {
      id: true, studyId: true, number: true, status: true, value: true, ciLow: true, ciHigh: true, n: true,
      study: { select: { config: true } },
      blocks: { orderBy: { blockIndex: 'asc' }, select: { blockIndex: true, seedStart: true, seedEnd: true, stats: true, createdAt: true } },
    },
  });
  if (!row) return null;
  const { study, blocks, ...trial } = row;
  return { trial, config: study.config, blocks };
}

/**
 * Completed trials for the surrogate: the best `cap / 2` by value (index on (study, value)) and
 * an even spread over all of them by trial number, deduplicated. `completed` is the full count.
 */
export async function surrogateObservationRows(
  db: DbOrTx,
  studyId: string,
  direction: 'minimize' | 'maximize',
  cap = SURROGATE_MAX_POINTS,
): Promise<{ observations: SurrogateObservation[]; completed: number }> {
  const where = { studyId, status: 'completed' as const, value: { not: null } };
  const [best, spread, completed] = await Promise.all([
    db.trial.findMany({
      where,
      orderBy: [{ value: direction === 'minimize' ? 'asc' : 'desc' }, { number: 'asc' }],
      take: Math.floor(cap / 2),
      select: { number: true, params: true, value: true, stderr: true },
    }),
    evenlySpacedCompleted(db, studyId, cap - Math.floor(cap / 2)),
    db.trial.count({ where }),
  ]);
  const seen = new Set<number>();
  const observations: SurrogateObservation[] = [];
  for (const r of [...best, ...spread]) {
    if (seen.has(r.number) || r.value === null) continue;
    seen.add(r.number);
    observations.push({ number: r.number, params: r.params as TParams, value: r.value, stderr: r.stderr });
  }
  observations.sort((a, b) => a.number - b.number);
  return { observations, completed };
}

async function evenlySpacedCompleted(db: DbOrTx, studyId: string, limit: number): Promise<Array<{ number: number; params: unknown; value: number | null; stderr: number | null }>> {
  if (limit <= 0) return [];
  // Row rn (0-based, by number) starts bucket floor(rn * limit / total) exactly when
  // (rn * limit) mod total < limit: one row per bucket, `limit` rows in all.
  return db.$queryRaw<Array<{ number: number; params: unknown; value: number | null; stderr: number | null }>>`
    SELECT number, params, value, stderr FROM (
      SELECT number, params, value, stderr,
             row_number() OVER (ORDER BY number) - 1 AS rn,
             count(*) OVER () AS total
      FROM trial
      WHERE study_id = ${studyId}::uuid AND status = 'completed' AND value IS NOT NULL
    ) s
    WHERE s.total <= ${limit}::bigint OR (s.rn * ${limit}::bigint) % s.total < ${limit}::bigint
    ORDER BY number`;
}

/** Completed trials' params and values, evenly thinned to `limit` by trial number. */
export async function parallelRows(db: DbOrTx, studyId: string, limit: number): Promise<{ rows: Array<{ number: number; params: TParams; value: number }>; total: number }> {
  const [rows, total] = await Promise.all([
    evenlySpacedCompleted(db, studyId, limit),
    db.trial.count({ where: { studyId, status: 'completed', value: { not: null } } }),
  ]);
  return {
    rows: rows.filter((r) => r.value !== null).map((r) => ({ number: r.number, params: r.params as TParams, value: r.value as number })),
    total,
  };
}
