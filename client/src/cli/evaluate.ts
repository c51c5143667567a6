import { scheduleSummary } from '@stepwise/core/config/schedule-summary';
import { formatNumber, table } from './format';

/**
 * `stepwise show` for `evaluate` studies: the ranking recorded in the study's strategy state
 * (orchestrator/src/workflows/evaluate-study.ts, EvaluationSummary) as a table, or the race's
 * progress while it runs. The API passes the stored JSON through unchecked, so it is read with
 * guards: anything else reads as null and `show` prints what it always did.
 */

export interface RankingEntryView {
  number: number;
  params: Record<string, unknown>;
  mean: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  n: number | null;
  raceSamples: number | null;
  eliminatedAtLook: number | null;
  vsBest: { mean: number | null; ciLow: number | null; ciHigh: number | null; n: number | null } | null;
}

export interface EvaluationSummaryView {
  kind: 'evaluate';
  source: 'holdout' | 'search';
  outcome: string;
  evaluations: number | null;
  ranking: RankingEntryView[];
}

export interface RaceProgressView {
  leader: string;
  alive: string[];
  candidates: Array<{ id: string; alive: boolean; n: number | null; mean: number | null }>;
  n: number | null;
  evaluations: number | null;
  looks: number | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Finite numbers only (JSON turned NaN into null). */
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function readEvaluationSummary(strategy: unknown): EvaluationSummaryView | null {
  if (!isObj(strategy) || strategy.kind !== 'evaluate' || !Array.isArray(strategy.ranking)) return null;
  const ranking: RankingEntryView[] = [];
  for (const r of strategy.ranking) {
    if (!isObj(r) || typeof r.number !== 'number') return null;
    const vs = r.vsBest;
    ranking.push({
      number: r.number,
      params: isObj(r.params) ? r.params : {},
      mean: num(r.mean),
      ciLow: num(r.ciLow),
      ciHigh: num(r.ciHigh),
      n: num(r.n),
      raceSamples: num(r.raceSamples),
      eliminatedAtLook: num(r.eliminatedAtLook),
      vsBest: isObj(vs) ? { mean: num(vs.mean), ciLow: num(vs.ciLow), ciHigh: num(vs.ciHigh), n: num(vs.n) } : null,
    });
  }
  return {
    kind: 'evaluate',
    source: strategy.source === 'holdout' ? 'holdout' : 'search',
    outcome: typeof strategy.outcome === 'string' ? strategy.outcome : '',
    evaluations: num(strategy.evaluations),
    ranking,
  };
}

export function readRaceProgress(strategy: unknown): RaceProgressView | null {
  if (!isObj(strategy) || strategy.kind !== 'evaluate' || strategy.phase !== 'race' || !isObj(strategy.race)) return null;
  const race = strategy.race;
  if (!Array.isArray(race.candidates)) return null;
  const candidates: RaceProgressView['candidates'] = [];
  for (const c of race.candidates) {
    if (!isObj(c) || (typeof c.id !== 'string' && typeof c.id !== 'number')) return null;
    candidates.push({ id: String(c.id), alive: c.alive !== false, n: num(c.n), mean: num(c.mean) });
  }
  return {
    leader: race.leader === undefined || race.leader === null ? '' : String(race.leader),
    alive: Array.isArray(race.alive) ? race.alive.map(String) : candidates.filter((c) => c.alive).map((c) => c.id),
    candidates,
    n: num(race.n),
    evaluations: num(race.evaluations),
    looks: num(race.looks),
  };
}

function paramsText(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : typeof v === 'string' || typeof v === 'boolean' ? String(v) : (scheduleSummary(v) ?? JSON.stringify(v))}`)
    .join(' ');
}

const interval = (lo: number | null, hi: number | null, digits = 4) => (lo === null && hi === null ? '-' : `[${formatNumber(lo, digits)}, ${formatNumber(hi, digits)}]`);
const count = (n: number | null) => (n === null ? '-' : String(n));

/** (this − best) interval excluding 0 on the losing side: above 0 when minimising, below when maximising. */
export function significantlyWorse(vs: RankingEntryView['vsBest'], direction: 'minimize' | 'maximize'): boolean {
  if (!vs || vs.ciLow === null || vs.ciHigh === null) return false;
  return direction === 'minimize' ? vs.ciLow > 0 : vs.ciHigh < 0;
}

/**
 * The ranking as `stepwise show` prints it: a heading naming where the numbers come from, the
 * table (mean with interval and n, paired difference against the best with its interval, what
 * the race spent on each candidate and whether it survived), and a legend line.
 */
export function formatRanking(summary: EvaluationSummaryView, opts: { direction: 'minimize' | 'maximize'; metric: string; confidence?: number }): string {
  const pct = `${Math.round((opts.confidence ?? 0.95) * 1000) / 10}%`;
  const source = summary.source === 'holdout' ? 'holdout seeds (never seen by the race)' : 'search seeds (the race\'s own; no holdout)';
  const race = [summary.outcome && `race outcome ${summary.outcome}`, summary.evaluations !== null && `${summary.evaluations} race evaluations`].filter(Boolean).join(', ');
  const head = `ranking (${opts.direction} ${opts.metric}; numbers from ${source}${race ? `; ${race}` : ''})\n`;
  const rows = summary.ranking.map((r, i) => {
    const worse = significantlyWorse(r.vsBest, opts.direction);
    const vs = r.vsBest;
    return [
      String(i + 1),
      `#${r.number}`,
      paramsText(r.params),
      formatNumber(r.mean),
      interval(r.ciLow, r.ciHigh),
      count(r.n),
      vs ? `${vs.mean !== null && vs.mean > 0 ? '+' : ''}${formatNumber(vs.mean, 4)}` : '-',
      vs ? interval(vs.ciLow, vs.ciHigh) : '-',
      vs === null ? 'best' : worse ? 'significantly worse' : vs.ciLow === null || vs.ciHigh === null ? '-' : 'not distinguishable',
      count(r.raceSamples),
      r.eliminatedAtLook === null ? 'survived' : `eliminated at look ${r.eliminatedAtLook}`,
    ];
  });
  const body = table(
    ['RANK', 'TRIAL', 'CANDIDATE', 'MEAN', `${pct} CI`, 'N', 'VS BEST', `${pct} CI (VS BEST)`, 'VERDICT', 'RACE SAMPLES', 'RACE'],
    rows,
    new Set([0, 1, 3, 5, 6, 9]),
  );
  return `${head}${body}VS BEST: paired difference (candidate - best) on shared seeds; significantly worse when its interval excludes 0.\n`;
}

/** While the race runs: one line per candidate, alive ones first, best current mean first. */
export function formatRaceProgress(race: RaceProgressView, opts: { direction: 'minimize' | 'maximize'; candidates?: ReadonlyArray<Record<string, unknown>> }): string {
  const sign = opts.direction === 'minimize' ? 1 : -1;
  const alive = new Set(race.alive);
  const key = (m: number | null) => (m === null ? Infinity : sign * m);
  const rows = [...race.candidates]
    .sort((a, b) => Number(alive.has(b.id)) - Number(alive.has(a.id)) || key(a.mean) - key(b.mean) || Number(a.id) - Number(b.id))
    .map((c) => [`#${c.id}`, paramsText(opts.candidates?.[Number(c.id)]), formatNumber(c.mean), count(c.n), c.id === race.leader ? 'leader' : alive.has(c.id) ? 'alive' : 'eliminated']);
  const head = `race: look ${count(race.looks)}, ${race.alive.length} of ${race.candidates.length} candidates alive, ${count(race.n)} seeds each, ${count(race.evaluations)} evaluations\n`;
  return head + table(['TRIAL', 'CANDIDATE', 'MEAN', 'N', 'STATE'], rows, new Set([0, 2, 3]));
}
