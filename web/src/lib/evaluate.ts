/**
 * Reading an `evaluate` study's strategy state (studies.get → `strategy`) for the study page:
 * the EvaluationSummary of a finished study, or the live race status while it runs. The API
 * passes the stored JSON through unchecked, so everything here is guarded: anything malformed
 * reads as null and the page simply shows no ranking.
 */
import type { EvaluationSummary, RankingEntry } from '@stepwise/core';
import type { CandidateSummary, RaceStatus } from '@stepwise/core';

export type { EvaluationSummary, RankingEntry };

/** The parts of RaceStatus the live view reads (the rest passes through untouched). */
export type RaceView = Pick<RaceStatus, 'leader' | 'alive' | 'candidates' | 'n' | 'evaluations' | 'looks' | 'outcome' | 'done'>;

export type EvaluateState = { phase: 'done'; summary: EvaluationSummary } | { phase: 'race'; race: RaceView };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** JSON turns NaN into null: read null (or anything non-numeric) back as NaN, which the formatters show as "—". */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const intOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function readEntry(v: unknown): RankingEntry | null {
  if (!isObj(v) || typeof v.number !== 'number') return null;
  const vs = isObj(v.vsBest) ? { mean: num(v.vsBest.mean), ciLow: num(v.vsBest.ciLow), ciHigh: num(v.vsBest.ciHigh), n: num(v.vsBest.n) } : null;
  return {
    number: v.number,
    params: isObj(v.params) ? v.params : {},
    mean: num(v.mean),
    ciLow: num(v.ciLow),
    ciHigh: num(v.ciHigh),
    stderr: num(v.stderr),
    n: num(v.n),
    raceSamples: num(v.raceSamples),
    eliminatedAtLook: intOrNull(v.eliminatedAtLook),
    vsBest: vs,
  };
}

function readCandidate(v: unknown): CandidateSummary | null {
  if (!isObj(v) || (typeof v.id !== 'string' && typeof v.id !== 'number')) return null;
  return { id: String(v.id), alive: v.alive !== false, n: num(v.n), mean: num(v.mean) };
}

/** The evaluate state in `strategy`, or null (another kind's state, nothing yet, or malformed). */
export function readEvaluateState(strategy: unknown): EvaluateState | null {
  if (!isObj(strategy) || strategy.kind !== 'evaluate') return null;
  if (Array.isArray(strategy.ranking)) {
    const ranking = strategy.ranking.map(readEntry);
    if (ranking.some((r) => r === null)) return null;
    return {
      phase: 'done',
      summary: {
        kind: 'evaluate',
        source: strategy.source === 'holdout' ? 'holdout' : 'search',
        outcome: typeof strategy.outcome === 'string' ? strategy.outcome : '',
        evaluations: num(strategy.evaluations),
        ranking: ranking as RankingEntry[],
      },
    };
  }
  const race = strategy.race;
  if (strategy.phase === 'race' && isObj(race) && Array.isArray(race.candidates)) {
    const candidates = race.candidates.map(readCandidate);
    if (candidates.some((c) => c === null)) return null;
    const cs = candidates as CandidateSummary[];
    return {
      phase: 'race',
      race: {
        leader: typeof race.leader === 'string' ? race.leader : String(race.leader ?? ''),
        alive: Array.isArray(race.alive) ? race.alive.map(String) : cs.filter((c) => c.alive).map((c) => c.id),
        candidates: cs,
        n: num(race.n),
        evaluations: num(race.evaluations),
        looks: num(race.looks),
        outcome: typeof race.outcome === 'string' ? (race.outcome as RaceView['outcome']) : 'running',
        done: race.done === true,
      },
    };
  }
  return null;
}

/** "preset=ddim nfe=10" (keys in the candidate's own order). */
export function candidateLabel(params: Record<string, unknown> | undefined, format: (v: unknown) => string = (v) => String(v)): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${format(v)}`)
    .join(' ');
}

export type Verdict = 'best' | 'worse' | 'better' | 'indistinguishable' | 'unknown';

/**
 * How a candidate compares with the best on the shared seeds. The difference is (this − best):
 * its interval excluding 0 on the losing side means "significantly worse" (above 0 when
 * minimising, below when maximising).
 */
export function verdict(vsBest: RankingEntry['vsBest'], direction: 'minimize' | 'maximize'): Verdict {
  if (vsBest === null) return 'best';
  const { ciLow, ciHigh } = vsBest;
  if (!Number.isFinite(ciLow) || !Number.isFinite(ciHigh)) return 'unknown';
  if (ciLow > 0) return direction === 'minimize' ? 'worse' : 'better';
  if (ciHigh < 0) return direction === 'minimize' ? 'better' : 'worse';
  return 'indistinguishable';
}

export const VERDICT_LABEL: Record<Verdict, string> = {
  best: 'best',
  worse: 'significantly worse',
  better: 'significantly better',
  indistinguishable: 'not distinguishable',
  unknown: '',
};

/** "eliminated at look 3" / "survived". */
export function raceFate(e: Pick<RankingEntry, 'eliminatedAtLook'>): string {
  return e.eliminatedAtLook === null ? 'survived' : `eliminated at look ${e.eliminatedAtLook}`;
}

export interface LiveCandidate {
  id: string;
  params: Record<string, unknown> | undefined;
  mean: number;
  n: number;
  alive: boolean;
  leader: boolean;
}

/**
 * The race as the live view lists it: surviving candidates first, best current mean first, then
 * the eliminated ones in the same order. Candidate ids are trial numbers, i.e. indexes into
 * the config's candidates.
 */
export function liveCandidates(race: RaceView, direction: 'minimize' | 'maximize', candidates?: ReadonlyArray<Record<string, unknown>>): LiveCandidate[] {
  const alive = new Set(race.alive);
  const sign = direction === 'minimize' ? 1 : -1;
  const key = (m: number) => (Number.isFinite(m) ? sign * m : Infinity);
  return race.candidates
    .map((c) => ({
      id: c.id,
      params: candidates?.[Number(c.id)],
      mean: c.mean,
      n: c.n,
      alive: alive.has(c.id),
      leader: c.id === race.leader,
    }))
    .sort((a, b) => Number(b.alive) - Number(a.alive) || key(a.mean) - key(b.mean) || Number(a.id) - Number(b.id));
}
