import { comparePaired } from './paired';
import { tInterval } from './intervals';
import type { RaceStatus } from './racing';
import { statsOf } from './running-stats';

/**
 * The result table of a comparison of K candidates on shared seeds: each candidate's estimate,
 * and its paired difference against the best (common random numbers make that interval far
 * narrower than the two separate ones). Shared by the `evaluate` workflow and its simulations.
 */

export interface RankingEntry {
  number: number;
  params: Record<string, unknown>;
  mean: number;
  ciLow: number;
  ciHigh: number;
  stderr: number;
  n: number;
  /** Search-time samples this candidate received in the race. */
  raceSamples: number;
  eliminatedAtLook: number | null;
  /** Paired difference (this - best) on shared seeds, with its interval; null for the best. */
  vsBest: { mean: number; ciLow: number; ciHigh: number; n: number } | null;
}

export interface EvaluationSummary {
  kind: 'evaluate';
  source: 'holdout' | 'search';
  outcome: string;
  evaluations: number;
  ranking: RankingEntry[];
}

export interface RankInput {
  params: Array<Record<string, unknown>>;
  /** Per-candidate values the race saw, in seed order. */
  raceValues: number[][];
  /** Per-candidate values the final numbers come from (the race's own, or holdout seeds). */
  finalValues: number[][];
  fromHoldout: boolean;
  race: RaceStatus;
  direction: 'minimize' | 'maximize';
  confidence: number;
}

export function rankCandidates(input: RankInput): EvaluationSummary {
  const { finalValues, direction, confidence, race } = input;
  const estimates = finalValues.map((v) => tInterval(statsOf(v), confidence));
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  // With a holdout the best is judged on the holdout; otherwise the race's leader stands.
  const best = input.fromHoldout ? estimates.reduce((bi, e, i) => (better(e.mean, estimates[bi].mean) ? i : bi), 0) : Number(race.leader);
  const ranking: RankingEntry[] = estimates.map((e, i) => {
    const n = Math.min(finalValues[i].length, finalValues[best].length);
    const paired = i === best ? null : comparePaired(finalValues[i].slice(0, n), finalValues[best].slice(0, n), confidence);
    const elim = race.eliminated.find((x) => x.id === String(i));
    return {
      number: i, params: input.params[i], mean: e.mean, ciLow: e.ciLow, ciHigh: e.ciHigh, stderr: e.stderr, n: e.n,
      raceSamples: input.raceValues[i].length, eliminatedAtLook: elim ? elim.look : null,
      vsBest: paired ? { mean: paired.mean, ciLow: paired.ciLow, ciHigh: paired.ciHigh, n: paired.n } : null,
    };
  });
  ranking.sort((a, b) => (direction === 'minimize' ? a.mean - b.mean : b.mean - a.mean));
  return { kind: 'evaluate', source: input.fromHoldout ? 'holdout' : 'search', outcome: race.outcome, evaluations: race.evaluations, ranking };
}
