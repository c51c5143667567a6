import type { TParams, TSpace } from '../config/space';
import { CounterRng } from '../rng';
import { LogExpectedImprovement, UpperConfidenceBound, type Acquisition } from './acquisition';
import { createEncoding, decodePoint, discreteSize, encodeParams, encodeValue, paramsKey, snapPoint, type SpaceEncoding } from './encoding';
import { fitGp, type GpData, type GpModel } from './gp';
import { warpOutputs } from './warp';
import { IbnnKernel } from './ibnn';
import { StationaryIbnnKernel } from './ibnn-stationary';
import { Matern52Kernel, type Kernel, type KernelKind } from './kernel';
import { AcquisitionOptimizer } from './optimize-acquisition';
import { SobolSequence } from './sobol';
import { TpeSampler } from './tpe';

/**
 * One entry point for every optimizer: given the study's observations and the trials still
 * running, propose `count` new parameter sets. Pure and deterministic in its inputs and seed.
 *
 * - The first `initialDesign` trials (observed + pending + proposed) follow one scrambled Sobol
 *   sequence of the study seed, so a study's initial design is the same however it is batched.
 * - GP methods fit the surrogate on the finite observations (maximisation is flipped, outputs
 *   standardized), then propose one point at a time; pending trials and points already proposed
 *   in the batch enter as fantasies at their posterior mean (kriging believer), which collapses
 *   the posterior variance there and pushes later proposals elsewhere.
 * - Nothing returned duplicates an observed, pending or earlier proposed point; in a finite
 *   discrete space that is exhausted, fewer than `count` proposals come back.
 */

export const BO_METHODS = ['gp-logei', 'gp-ucb', 'ibnn-logei', 'tpe', 'random', 'sobol'] as const;
export type BoMethod = (typeof BO_METHODS)[number];

export interface BoObservation {
  params: TParams;
  /** Objective value; non-finite values (failed trials) are kept out of the model. */
  value: number;
  /** Known noise variance of value (squared standard error), if any. */
  noiseVar?: number;
}

/** JSON-serialisable state carried between calls to warm-start the surrogate fit. */
export interface BoState {
  version: 1;
  gp?: { kernel: KernelKind; dim: number; theta: number[] };
}

export interface ProposeOptions {
  /** UCB exploration weight beta (acquisition sqrt(beta) sigma - mean). Default 4. */
  ucbBeta?: number;
  /** Sobol candidates in the acquisition sweep (default min(1024, 384 + 48 d), plus a quarter more around the best points). */
  rawSamples?: number;
  /** Local searches from the best sweep candidates (default 5). */
  numRestarts?: number;
  /** Hyperparameter fit starts (default 3 cold; warm: 2 up to 100 observations, then 1 plus a fresh start every 10th). */
  fitRestarts?: number;
  fitMaxIter?: number;
  /** Hidden layers of the I-BNN kernel (default 3). */
  ibnnDepth?: number;
  /**
   * Input layer of the I-BNN: 'stationary' (default; cosine units, so the kernel depends on
   * x - x' only and no point of the cube is preferred) or 'dot-product' (the classic NNGP input
   * layer, whose features have their origin at the centre of the cube: kept for comparison, it
   * favours optima near the centre).
   */
  ibnnInput?: 'stationary' | 'dot-product';
  /** TPE candidates per proposal (default 24). */
  tpeCandidates?: number;
  /**
   * Most observations the GP is fitted on (default 400; exact GP cost grows as n^3). Beyond it the
   * model keeps the best half and an evenly spread selection of the rest.
   */
  maxModelPoints?: number;
}

export interface ProposeBatchInput {
  space: TSpace;
  observations: BoObservation[];
  pending?: TParams[];
  count: number;
  direction: 'minimize' | 'maximize';
  seed: number;
  method: BoMethod;
  /** Trials taken from the Sobol design before the model takes over. */
  initialDesign: number;
  /**
   * The trial number each proposal will get, ascending. When given, proposal i is a design point
   * iff numbers[i] < initialDesign, and starts from Sobol point numbers[i]: concurrent slots that
   * ask in any order then get the same design, and trials 0..initialDesign-1 are the design.
   * Without it, proposals count on from observations + pending.
   */
  numbers?: number[];
  state?: BoState | null;
  options?: ProposeOptions;
}

export interface BoProposal {
  params: TParams;
  reason: {
    kind: 'initial' | 'acquisition';
    /**
     * log EI (in the model's warped output units plus log of the objective's standard deviation,
     * so comparable within a study), the UCB/LCB bound (objective units), or the TPE score
     * log l(x) - log g(x).
     */
    acquisitionValue?: number;
    method: BoMethod;
  };
}

export interface ProposeBatchResult {
  proposals: BoProposal[];
  state: BoState;
}

/** Streams of the counter RNG, one per purpose, offset by the call's round. */
const STREAM = { random: 0x1000_0000, fallback: 0x2000_0000, tpe: 0x3000_0000, fit: 0x4000_0000 };
const ENUMERATE_LIMIT = 200_000;

class ProposalBook {
  readonly taken = new Set<string>();
  /** Taken keys that are points of the space (observations may hold stale, out-of-space params). */
  private inSpace = 0;
  readonly proposals: BoProposal[] = [];
  /** Encoded proposals of this call, in order. */
  readonly encoded: Float64Array[] = [];
  readonly capacity: number;

  constructor(readonly enc: SpaceEncoding) {
    this.capacity = discreteSize(enc);
  }

  mark(params: TParams): void {
    const key = paramsKey(this.enc, params);
    if (this.taken.has(key)) return;
    this.taken.add(key);
    const u = tryEncode(this.enc, params);
    if (u && paramsKey(this.enc, decodePoint(this.enc, u)) === key) this.inSpace++;
  }

  isFree(u: Float64Array): boolean {
    return !this.taken.has(paramsKey(this.enc, decodePoint(this.enc, u)));
  }

  get exhausted(): boolean {
    return this.inSpace >= this.capacity;
  }

  push(u: Float64Array, reason: BoProposal['reason']): boolean {
    const params = decodePoint(this.enc, u);
    const key = paramsKey(this.enc, params);
    if (this.taken.has(key)) return false;
    this.taken.add(key);
    this.inSpace++;
    const x = u.slice();
    snapPoint(this.enc, x);
    this.proposals.push({ params, reason });
    this.encoded.push(x);
    return true;
  }

  /** A free point: random draws first, then (finite discrete spaces) enumeration. */
  freePoint(rng: CounterRng): Float64Array | null {
    const { enc } = this;
    const u = new Float64Array(enc.dim);
    for (let t = 0; t < 256; t++) {
      for (let k = 0; k < enc.dim; k++) u[k] = rng.uniform();
      snapPoint(enc, u);
      if (this.isFree(u)) return u;
    }
    if (this.capacity > ENUMERATE_LIMIT) return null;
    const radix = enc.space.map((p) => (p.type === 'int' ? p.high - p.low + 1 : p.type === 'categorical' ? p.choices.length : 1));
    // The full product: with conditional parameters it counts a point once per value of each
    // inactive parameter (those snap to one point), so it can exceed the capacity.
    const product = radix.reduce((a, b) => a * b, 1);
    if (product > ENUMERATE_LIMIT) return null;
    const offset = rng.int(product);
    for (let t = 0; t < product; t++) {
      let idx = (offset + t) % product;
      enc.space.forEach((p, k) => {
        const digit = idx % radix[k];
        idx = Math.floor(idx / radix[k]);
        u[k] = p.type === 'int' ? encodeValue(p, p.low + digit) : p.type === 'categorical' ? (digit + 0.5) / radix[k] : 0.5;
      });
      snapPoint(enc, u);
      if (this.isFree(u)) return u.slice();
    }
    return null;
  }
}

interface Usable {
  x: Float64Array;
  /** Value to minimise (sign-flipped for maximisation). */
  y: number;
  noiseVar: number;
}

function tryEncode(enc: SpaceEncoding, params: TParams): Float64Array | null {
  try {
    const u = encodeParams(enc, params);
    snapPoint(enc, u);
    return u;
  } catch {
    return null;
  }
}

export function proposeBatch(input: ProposeBatchInput): ProposeBatchResult {
  const { space, observations, count, method, seed } = input;
  const pending = input.pending ?? [];
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`proposeBatch: count must be a non-negative integer, got ${count}`);
  if (!(BO_METHODS as readonly string[]).includes(method)) throw new RangeError(`proposeBatch: unknown method "${method}"`);
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`proposeBatch: seed must be a non-negative integer, got ${seed}`);
  const enc = createEncoding(space);
  const book = new ProposalBook(enc);
  for (const o of observations) book.mark(o.params);
  for (const p of pending) book.mark(p);
  const round = observations.length + pending.length;
  const numbers = input.numbers;
  if (numbers && (numbers.length !== count || numbers.some((n, i) => !Number.isInteger(n) || n < 0 || (i > 0 && n <= numbers[i - 1])))) {
    throw new RangeError(`proposeBatch: numbers must be ${count} ascending non-negative integers, got [${numbers.join(', ')}]`);
  }
  const sign = input.direction === 'maximize' ? -1 : 1;
  const usable: Usable[] = [];
  for (const o of observations) {
    if (!Number.isFinite(o.value)) continue;
    const x = tryEncode(enc, o.params);
    if (x) usable.push({ x, y: sign * o.value, noiseVar: o.noiseVar && o.noiseVar > 0 ? o.noiseVar : 0 });
  }
  const pendingX = pending.map((p) => tryEncode(enc, p)).filter((x): x is Float64Array => x !== null);
  let state: BoState = input.state && input.state.version === 1 ? input.state : { version: 1 };

  const design = new SobolSequence(enc.dim, { seed });
  let designIndex = round;
  const fallbackRng = new CounterRng(seed, STREAM.fallback + round);
  const nextDesignPoint = (): Float64Array | null => {
    const u = new Float64Array(enc.dim);
    for (let t = 0; t < 64; t++) {
      design.point(designIndex++, u);
      snapPoint(enc, u);
      if (book.isFree(u)) return u;
    }
    return book.freePoint(fallbackRng);
  };

  const modelBased = method !== 'random' && method !== 'sobol';
  const ordinal = () => (numbers ? numbers[book.proposals.length] : round + book.proposals.length);
  const inDesign = () => ordinal() < input.initialDesign || (modelBased && usable.length < 2);

  // Design phase (and the whole of the sobol / random baselines).
  const randomRng = new CounterRng(seed, STREAM.random + round);
  while (book.proposals.length < count && !book.exhausted) {
    const initial = inDesign();
    let u: Float64Array | null;
    if (numbers) designIndex = numbers[book.proposals.length];
    if (initial || method === 'sobol') u = nextDesignPoint();
    else if (method === 'random') u = book.freePoint(randomRng);
    else break;
    if (!u || !book.push(u, { kind: initial ? 'initial' : 'acquisition', method })) break;
  }

  const remaining = count - book.proposals.length;
  if (remaining > 0 && modelBased && !book.exhausted) {
    const fantasies = [...pendingX, ...book.encoded];
    try {
      if (method === 'tpe') proposeTpe(input, enc, book, usable, fantasies, round, remaining, fallbackRng);
      else state = proposeGp(input, enc, book, usable, fantasies, round, remaining, fallbackRng, state);
    } catch {
      // A numerical failure of the model (e.g. absurdly scaled values) must not stop the study:
      // the remaining slots get space-filling design points instead.
    }
    while (book.proposals.length < count && !book.exhausted) {
      const u = nextDesignPoint();
      if (!u || !book.push(u, { kind: 'initial', method })) break;
    }
  }
  return { proposals: book.proposals, state };
}

function proposeTpe(
  input: ProposeBatchInput, enc: SpaceEncoding, book: ProposalBook, usable: Usable[], liars: Float64Array[],
  round: number, remaining: number, fallbackRng: CounterRng,
): void {
  const sampler = new TpeSampler(enc, { candidates: input.options?.tpeCandidates });
  const points = usable.map((u) => u.x);
  const values = usable.map((u) => u.y);
  const target = book.proposals.length + remaining;
  while (book.proposals.length < target && !book.exhausted) {
    const ranked = sampler.rank(points, values, liars, input.seed, STREAM.tpe + round + book.proposals.length);
    const pick = ranked.find((c) => book.isFree(c.x));
    const u = pick?.x ?? book.freePoint(fallbackRng);
    if (!u || !book.push(u, { kind: 'acquisition', acquisitionValue: pick?.score, method: input.method })) break;
    liars.push(book.encoded[book.encoded.length - 1]);
  }
}

/** The best half of the cap by value plus every k-th of the others, in the original order. */
function limitModelPoints(usable: Usable[], cap: number): Usable[] {
  if (usable.length <= cap) return usable;
  const order = usable.map((_, i) => i).sort((a, b) => usable[a].y - usable[b].y);
  const keep = new Set(order.slice(0, Math.floor(cap / 2)));
  const rest = order.slice(Math.floor(cap / 2)).sort((a, b) => a - b);
  const need = cap - keep.size;
  for (let t = 0; t < need; t++) keep.add(rest[Math.floor((t * rest.length) / need)]);
  return usable.filter((_, i) => keep.has(i));
}

function proposeGp(
  input: ProposeBatchInput, enc: SpaceEncoding, book: ProposalBook, usable: Usable[], fantasies: Float64Array[],
  round: number, remaining: number, fallbackRng: CounterRng, state: BoState,
): BoState {
  const { method, options = {} } = input;
  usable = limitModelPoints(usable, options.maxModelPoints ?? 400);
  const n = usable.length, d = enc.dim;
  let mu = 0;
  for (const u of usable) mu += u.y / n;
  let sd = 0;
  for (const u of usable) sd += (u.y - mu) ** 2 / Math.max(1, n - 1);
  sd = Math.sqrt(sd);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mu)))) sd = 1;
  const X = new Float64Array(n * d);
  let y: Float64Array = new Float64Array(n);
  usable.forEach((u, i) => {
    X.set(u.x, i * d);
    y[i] = (u.y - mu) / sd;
  });
  // Expected improvement gains most from the warp: a few deep values among many shallow ones
  // (Hartmann-6, Ackley) otherwise make the standardized GP so sure that nothing unexplored can
  // beat the incumbent that log EI collapses everywhere but next to it. Known noise variances
  // would no longer match warped values, and UCB reports its bound in objective units: both keep
  // the plain standardization.
  const warped = method !== 'gp-ucb' && !usable.some((u) => u.noiseVar > 0);
  if (warped) y = warpOutputs(y);
  const data: GpData = { X, n, d, y };
  if (usable.some((u) => u.noiseVar > 0)) data.knownNoise = Float64Array.from(usable, (u) => u.noiseVar / (sd * sd));

  const kernel: Kernel = method !== 'ibnn-logei'
    ? new Matern52Kernel(d, enc.categoricalDims)
    : options.ibnnInput === 'dot-product'
      ? new IbnnKernel(d, enc.cardinality, { depth: options.ibnnDepth })
      : new StationaryIbnnKernel(d, enc.cardinality, { depth: options.ibnnDepth });
  const prev = state.gp;
  const warm = prev && prev.kernel === kernel.kind && prev.dim === d && prev.theta.length === kernel.nParams + 2 ? prev.theta : null;
  const restarts = options.fitRestarts ?? (warm ? (n <= 100 || n % 10 === 0 ? 2 : 1) : 3);
  let model: GpModel = fitGp(kernel, data, { warmStart: warm, restarts, maxIter: options.fitMaxIter, seed: (input.seed + STREAM.fit + round) % 2147483647 });
  const newState: BoState = { version: 1, gp: { kernel: kernel.kind, dim: d, theta: Array.from(model.theta) } };

  const trainMeans = model.trainingMeans();
  let best = Infinity;
  for (const m of trainMeans) best = Math.min(best, m);
  const anchorIdx = Array.from(trainMeans.keys()).sort((a, b) => trainMeans[a] - trainMeans[b]).slice(0, 5);
  const anchors = anchorIdx.map((i) => usable[i].x);

  const one = new Float64Array(1), oneVar = new Float64Array(1);
  const believe = (x: Float64Array) => {
    model.predict(x, 1, one, oneVar);
    try {
      model = model.withObservation(x, one[0]);
      best = Math.min(best, one[0]);
    } catch {
      // A fantasy that cannot be added (numerically duplicate input) changes nothing anyway.
    }
  };
  for (const x of fantasies) believe(x);

  const target = book.proposals.length + remaining;
  while (book.proposals.length < target && !book.exhausted) {
    const acq: Acquisition = method === 'gp-ucb' ? new UpperConfidenceBound(options.ucbBeta ?? 4) : new LogExpectedImprovement(best);
    const optimizer = new AcquisitionOptimizer(model, acq, enc);
    const cand = optimizer.optimize({
      seed: input.seed,
      round: round + book.proposals.length,
      rawSamples: options.rawSamples,
      numRestarts: options.numRestarts,
      anchors,
      accept: (u) => book.isFree(u),
    });
    const u = cand?.x ?? book.freePoint(fallbackRng);
    if (!u) break;
    let acquisitionValue: number | undefined;
    if (cand) {
      acquisitionValue = acq.name === 'logei' ? cand.value + Math.log(sd) : (input.direction === 'maximize' ? -1 : 1) * (mu - sd * cand.value);
    }
    if (!book.push(u, { kind: 'acquisition', acquisitionValue, method })) break;
    if (book.proposals.length < target) believe(book.encoded[book.encoded.length - 1]);
  }
  return newState;
}

