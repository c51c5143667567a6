import { normalCdf, normalQuantile, studentTQuantile } from './distributions';
import { EstimationError, requireProbability } from './errors';
import {
  emptyMultivariateStats,
  mergeMultivariateStats,
  multivariateStatsOf,
  selectDims,
  type MultivariateStats,
} from './multivariate-stats';

/**
 * Racing among K candidates evaluated on the same seed blocks (common random numbers).
 *
 * After each block, every surviving candidate j is compared with the current leader L (best mean)
 * through the paired differences on the shared seeds; j is dropped once the one-sided upper
 * bound of its advantage over L falls below zero.
 *
 * Validity. Let b be the true best. b can only be dropped at a look where the interval for the
 * pair (b, L) misses, and L is chosen from the data, so we cover every pair (b, j), j != b, at
 * every look: look k spends alpha_k from an alpha-spending function (sum over looks <= alpha) and
 * each of the K - 1 comparisons gets alpha_k / (K - 1) (Bonferroni over candidates and looks, a
 * union bound: no independence across looks is assumed). Then P(b is ever dropped) <= alpha,
 * up to the normal approximation of each paired t-interval (exact for normal differences).
 * It is conservative: the union bound ignores the strong correlation between looks.
 *
 * Everything is a pure function of (state, block): the state is plain JSON and lives in a DB row
 * or a workflow's history.
 */

export type RaceGoal = 'maximize' | 'minimize';
/** How alpha is spent over information t = n / maxSamples: linear alpha*t, Lan-DeMets Pocock or O'Brien-Fleming types. */
export type AlphaSpending = 'linear' | 'pocock' | 'obrien-fleming';

export interface RaceConfig {
  /** Candidate ids (at least two, unique). */
  readonly candidates: readonly string[];
  readonly goal: RaceGoal;
  /** Bound on the probability that the true best is dropped, e.g. 0.05. */
  readonly alpha: number;
  /** Seeds every candidate gets before any elimination (>= 2). */
  readonly minSamples: number;
  /** Per-candidate cap; the race ends there with the leader as winner. */
  readonly maxSamples: number;
  readonly blockSize: number;
  /** Default 'pocock': spends early, where eliminations save the most evaluations. */
  readonly spending?: AlphaSpending;
  /**
   * Optional indifference zone delta (metric units, >= 0): stop once every survivor's advantage
   * over the leader has its upper bound below delta. The same union bound then gives
   * P(the winner is more than delta worse than the best) <= alpha.
   */
  readonly indifference?: number;
}

export type RaceOutcome = 'running' | 'single-survivor' | 'indifferent' | 'cap';

export interface Elimination {
  readonly id: string;
  /** Seeds the candidate had been evaluated on when dropped. */
  readonly n: number;
  readonly look: number;
  readonly leader: string;
  /** Mean advantage over the leader (negative: worse) and its one-sided upper bound (< 0). */
  readonly advantage: number;
  readonly upperBound: number;
}

export interface RaceState {
  readonly version: 1;
  readonly config: RaceConfig;
  readonly outcome: RaceOutcome;
  /** Seeds evaluated by every surviving candidate; the next block starts at seed index n. */
  readonly n: number;
  /** Co-moments over all candidates in config order; rows of dropped candidates are frozen. */
  readonly stats: MultivariateStats;
  readonly alive: readonly string[];
  readonly eliminated: readonly Elimination[];
  readonly looks: number;
  readonly alphaSpent: number;
  /** Per-comparison one-sided level used at the last look (0 before the first look). */
  readonly lastComparisonLevel: number;
  /** Candidate evaluations so far, summed over candidates. */
  readonly evaluations: number;
}

export interface RaceBlock {
  /** Seed index of the block's first sample; when given it must equal state.n (guards replays). */
  readonly firstSeed?: number;
  /** Per surviving candidate id, its values on the block's seeds, in seed order. */
  readonly values: Readonly<Record<string, readonly number[]>>;
}

export interface CandidateSummary {
  readonly id: string;
  readonly alive: boolean;
  readonly n: number;
  readonly mean: number;
}

export interface LeaderComparison {
  readonly id: string;
  /** Mean advantage over the leader in the goal's direction (negative: worse than the leader). */
  readonly advantage: number;
  readonly stderr: number;
  /** Interval for the advantage, each side at the last look's per-comparison level. */
  readonly lower: number;
  readonly upper: number;
}

export interface RaceStatus {
  readonly done: boolean;
  readonly outcome: RaceOutcome;
  readonly leader: string;
  readonly alive: readonly string[];
  readonly eliminated: readonly Elimination[];
  readonly candidates: readonly CandidateSummary[];
  readonly comparisons: readonly LeaderComparison[];
  readonly n: number;
  readonly evaluations: number;
  readonly looks: number;
  readonly alphaSpent: number;
  /** Seeds to evaluate next on every survivor, or null when the race is over. */
  readonly nextBlock: { readonly firstSeed: number; readonly size: number } | null;
}

function invalid(message: string): never {
  throw new EstimationError('invalid-input', `race: ${message}`);
}

export function validateRaceConfig(config: RaceConfig): void {
  const ids = config.candidates;
  if (!Array.isArray(ids) || ids.length < 2) invalid('needs at least two candidates');
  if (new Set(ids).size !== ids.length) invalid('candidate ids must be unique');
  if (config.goal !== 'maximize' && config.goal !== 'minimize') invalid(`goal must be 'maximize' or 'minimize', got ${String(config.goal)}`);
  requireProbability(config.alpha, 'race alpha');
  if (!Number.isInteger(config.minSamples) || config.minSamples < 2) invalid(`minSamples must be an integer >= 2, got ${config.minSamples}`);
  if (!Number.isInteger(config.maxSamples) || config.maxSamples < config.minSamples) invalid(`maxSamples must be an integer >= minSamples, got ${config.maxSamples}`);
  if (!Number.isInteger(config.blockSize) || config.blockSize < 1) invalid(`blockSize must be a positive integer, got ${config.blockSize}`);
  const spending = config.spending ?? 'pocock';
  if (!['linear', 'pocock', 'obrien-fleming'].includes(spending)) invalid(`unknown spending function ${spending}`);
  const delta = config.indifference ?? 0;
  if (!(delta >= 0 && Number.isFinite(delta))) invalid(`indifference must be a finite number >= 0, got ${delta}`);
}

/** Cumulative alpha spent by information fraction t in [0, 1]. */
export function alphaSpent(spending: AlphaSpending, alpha: number, t: number): number {
  const f = Math.min(1, Math.max(0, t));
  if (f === 0) return 0;
  switch (spending) {
    case 'linear':
      return alpha * f;
    case 'pocock':
      return alpha * Math.log(1 + (Math.E - 1) * f);
    case 'obrien-fleming':
      return Math.min(alpha, 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(f)));
  }
}

export function createRace(config: RaceConfig): RaceState {
  validateRaceConfig(config);
  return {
    version: 1,
    config,
    outcome: 'running',
    n: 0,
    stats: emptyMultivariateStats(config.candidates.length),
    alive: [...config.candidates],
    eliminated: [],
    looks: 0,
    alphaSpent: 0,
    lastComparisonLevel: 0,
    evaluations: 0,
  };
}

function sign(goal: RaceGoal): number {
  return goal === 'maximize' ? 1 : -1;
}

function leaderIndex(state: Pick<RaceState, 'config' | 'stats' | 'alive'>): number {
  const s = sign(state.config.goal);
  let best = -1;
  for (const id of state.alive) {
    const j = state.config.candidates.indexOf(id);
    if (best < 0 || s * state.stats.mean[j] > s * state.stats.mean[best]) best = j;
  }
  return best;
}

/** Paired advantage of candidate j over candidate l (goal direction) with its standard error. */
function advantage(state: Pick<RaceState, 'config' | 'stats' | 'n'>, j: number, l: number): { mean: number; stderr: number } {
  const { mean, comoment } = state.stats;
  const m2 = Math.max(0, comoment[j][j] + comoment[l][l] - 2 * comoment[j][l]);
  const n = state.n;
  return { mean: sign(state.config.goal) * (mean[j] - mean[l]), stderr: Math.sqrt(m2 / (n - 1) / n) };
}

/** Fold one block of seed-aligned results into the race; returns the new state. */
export function raceUpdate(state: RaceState, block: RaceBlock): RaceState {
  const { config } = state;
  if (state.outcome !== 'running') throw new EstimationError('invalid-input', `race is over (${state.outcome}); no more blocks are accepted`);
  if (block.firstSeed !== undefined && block.firstSeed !== state.n) {
    throw new EstimationError('out-of-order', `race expected the block starting at seed ${state.n}, got ${block.firstSeed}`);
  }
  const aliveIdx = state.alive.map((id) => config.candidates.indexOf(id));
  const columns = state.alive.map((id) => {
    const values = block.values[id];
    if (!values) invalid(`block has no values for surviving candidate '${id}'`);
    return values;
  });
  const m = columns[0].length;
  if (m === 0) invalid('empty block');
  if (state.n + m > config.maxSamples) invalid(`block of ${m} would pass maxSamples (${config.maxSamples}) at n = ${state.n}`);
  const merged = mergeMultivariateStats(selectDims(state.stats, aliveIdx), multivariateStatsOf(columns));
  const mean = state.stats.mean.slice();
  const comoment = state.stats.comoment.map((row) => row.slice());
  aliveIdx.forEach((a, ia) => {
    mean[a] = merged.mean[ia];
    aliveIdx.forEach((b, ib) => (comoment[a][b] = merged.comoment[ia][ib]));
  });
  const n = state.n + m;
  let next: RaceState = {
    ...state,
    n,
    stats: { n, mean, comoment },
    evaluations: state.evaluations + m * state.alive.length,
  };
  if (n >= config.minSamples) next = look(next);
  if (next.outcome === 'running' && n >= config.maxSamples) next = { ...next, outcome: 'cap' };
  return next;
}

function look(state: RaceState): RaceState {
  const { config } = state;
  const K = config.candidates.length;
  const spentNow = alphaSpent(config.spending ?? 'pocock', config.alpha, state.n / config.maxSamples);
  const alphaLook = spentNow - state.alphaSpent;
  if (!(alphaLook > 0)) return state;
  const level = alphaLook / (K - 1);
  const quantile = studentTQuantile(1 - level, state.n - 1);
  const l = leaderIndex(state);
  const leader = config.candidates[l];
  const dropped: Elimination[] = [];
  let allIndifferent = true;
  for (const id of state.alive) {
    const j = config.candidates.indexOf(id);
    if (j === l) continue;
    const adv = advantage(state, j, l);
    const upperBound = adv.mean + quantile * adv.stderr;
    if (upperBound < 0) dropped.push({ id, n: state.n, look: state.looks + 1, leader, advantage: adv.mean, upperBound });
    else if (!(upperBound < (config.indifference ?? 0))) allIndifferent = false;
  }
  const alive = state.alive.filter((id) => !dropped.some((d) => d.id === id));
  const outcome: RaceOutcome = alive.length === 1 ? 'single-survivor' : (config.indifference ?? 0) > 0 && allIndifferent ? 'indifferent' : 'running';
  return {
    ...state,
    alive,
    eliminated: [...state.eliminated, ...dropped],
    looks: state.looks + 1,
    alphaSpent: spentNow,
    lastComparisonLevel: level,
    outcome,
  };
}

export function raceStatus(state: RaceState): RaceStatus {
  const { config } = state;
  const l = leaderIndex(state);
  // Before the first look, show intervals at the whole alpha split over the candidates.
  const level = state.lastComparisonLevel > 0 ? state.lastComparisonLevel : config.alpha / (config.candidates.length - 1);
  const quantile = state.n >= 2 ? studentTQuantile(1 - level, state.n - 1) : Number.NaN;
  const comparisons: LeaderComparison[] =
    state.n < 2
      ? []
      : state.alive
          .filter((id) => id !== config.candidates[l])
          .map((id) => {
            const adv = advantage(state, config.candidates.indexOf(id), l);
            return { id, advantage: adv.mean, stderr: adv.stderr, lower: adv.mean - quantile * adv.stderr, upper: adv.mean + quantile * adv.stderr };
          });
  const droppedAt = new Map(state.eliminated.map((e) => [e.id, e.n]));
  const done = state.outcome !== 'running';
  return {
    done,
    outcome: state.outcome,
    leader: config.candidates[l],
    alive: state.alive,
    eliminated: state.eliminated,
    candidates: config.candidates.map((id, j) => ({ id, alive: !droppedAt.has(id), n: droppedAt.get(id) ?? state.n, mean: state.stats.mean[j] })),
    comparisons,
    n: state.n,
    evaluations: state.evaluations,
    looks: state.looks,
    alphaSpent: state.alphaSpent,
    nextBlock: done ? null : { firstSeed: state.n, size: Math.min(config.maxSamples - state.n, Math.max(config.blockSize, config.minSamples - state.n)) },
  };
}
