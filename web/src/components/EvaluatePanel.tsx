'use client';

import { useMemo } from 'react';
import type { StudyDetailOut } from '../lib/trpc';
import { formatCount, formatParam, formatValue } from '../lib/format';
import {
  VERDICT_LABEL,
  candidateLabel,
  liveCandidates,
  raceFate,
  readEvaluateState,
  verdict,
  type EvaluationSummary,
  type RaceView,
} from '../lib/evaluate';

type Direction = 'minimize' | 'maximize';

const paramText = (v: unknown) => (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? formatParam(v) : JSON.stringify(v));

function confidenceOf(config: StudyDetailOut['config']): number {
  const obj = config?.objective as { estimation?: { confidence?: number } } | undefined;
  const c = obj?.estimation?.confidence;
  return typeof c === 'number' && c > 0 && c < 1 ? c : 0.95;
}

function interval(lo: number, hi: number): string {
  return `[${formatValue(lo, 4)}, ${formatValue(hi, 4)}]`;
}

/**
 * An `evaluate` study: the final ranking (means with intervals, paired differences against the
 * best on shared seeds, what the race spent on each candidate) once it has finished, and the
 * race live while it runs.
 */
export function EvaluatePanel({ study }: { study: StudyDetailOut }) {
  const state = useMemo(() => readEvaluateState(study.strategy), [study.strategy]);
  const candidates = (study.config as { candidates?: Array<Record<string, unknown>> }).candidates;
  const confidence = confidenceOf(study.config);
  const live = study.status === 'queued' || study.status === 'running' || study.status === 'paused';
  const holdout = (study.config as { holdout?: { start: number; size: number } }).holdout;

  return (
    <div className="panel" data-testid="evaluate-panel">
      <div className="panel-head">
        <h2>{state?.phase === 'done' ? 'Ranking' : 'Race'}</h2>
        {state?.phase === 'done' && <SourceBadge source={state.summary.source} />}
        {state?.phase !== 'done' && holdout && (
          <span className="muted">
            final numbers will come from {formatCount(holdout.size)} holdout seeds the race never sees
          </span>
        )}
        {state?.phase === 'done' && (
          <span className="muted" data-testid="evaluate-outcome">
            race outcome: {state.summary.outcome || '—'} · {formatCount(Number.isFinite(state.summary.evaluations) ? state.summary.evaluations : 0)} race evaluations
          </span>
        )}
      </div>
      {state?.phase === 'done' && <RankingTable summary={state.summary} direction={study.direction} metric={study.metric} confidence={confidence} />}
      {state?.phase === 'race' && <RaceLive race={state.race} direction={study.direction} metric={study.metric} candidates={candidates} />}
      {state === null && (
        <div className="empty" data-testid="evaluate-waiting">
          {live ? 'Waiting for the first block of the race…' : 'No ranking was recorded for this study.'}
        </div>
      )}
    </div>
  );
}

function SourceBadge({ source }: { source: EvaluationSummary['source'] }) {
  const holdout = source === 'holdout';
  return (
    <span
      className={`badge ${holdout ? 'badge-holdout' : 'badge-search'}`}
      data-testid="evaluate-source"
      data-source={source}
      title={
        holdout
          ? 'Means, intervals and differences come from holdout seeds the race never saw: unbiased by the selection.'
          : 'Means, intervals and differences come from the race\u2019s own seeds: the winner\u2019s number is optimistically biased by the selection.'
      }
    >
      {holdout ? 'holdout seeds' : 'search seeds (no holdout)'}
    </span>
  );
}

function RankingTable({ summary, direction, metric, confidence }: { summary: EvaluationSummary; direction: Direction; metric: string; confidence: number }) {
  const pct = `${Math.round(confidence * 1000) / 10}%`;
  return (
    <div className="table-wrap">
      <table className="grid" data-testid="evaluate-ranking">
        <thead>
          <tr>
            <th className="num">rank</th>
            <th className="num">trial</th>
            <th>candidate</th>
            <th className="num">
              {metric} ({direction === 'minimize' ? '↓' : '↑'})
            </th>
            <th className="num">{pct} CI</th>
            <th className="num">n</th>
            <th className="num" title="Paired difference (this − best) on shared seeds, with its interval">
              Δ vs best
            </th>
            <th className="num">{pct} CI of Δ</th>
            <th></th>
            <th className="num" title="Search-time samples this candidate received in the race">
              race samples
            </th>
            <th>race</th>
          </tr>
        </thead>
        <tbody>
          {summary.ranking.map((r, i) => {
            const v = verdict(r.vsBest, direction);
            return (
              <tr
                key={r.number}
                className={v === 'best' ? 'best' : v === 'worse' ? 'sig-worse' : undefined}
                data-testid="evaluate-row"
                data-trial={r.number}
                data-verdict={v}
              >
                <td className="num">{i + 1}</td>
                <td className="num">#{r.number}</td>
                <td className="params">{candidateLabel(r.params, paramText)}</td>
                <td className="num" data-testid="evaluate-mean">
                  {formatValue(r.mean)}
                </td>
                <td className="num ci-cell">{interval(r.ciLow, r.ciHigh)}</td>
                <td className="num">{Number.isFinite(r.n) ? formatCount(r.n) : '—'}</td>
                <td className="num" data-testid="evaluate-diff">
                  {r.vsBest ? `${r.vsBest.mean > 0 ? '+' : ''}${formatValue(r.vsBest.mean, 4)}` : '—'}
                </td>
                <td className="num ci-cell">
                  {r.vsBest ? (
                    <>
                      {interval(r.vsBest.ciLow, r.vsBest.ciHigh)}
                      {Number.isFinite(r.vsBest.n) && <span className="ci">n = {formatCount(r.vsBest.n)}</span>}
                    </>
                  ) : (
                    ''
                  )}
                </td>
                <td>
                  {v === 'best' ? (
                    <span className="badge badge-completed">best</span>
                  ) : v === 'worse' ? (
                    <span className="badge badge-sig-worse" data-testid="evaluate-sig-worse" title="The interval of the paired difference excludes 0">
                      {VERDICT_LABEL.worse}
                    </span>
                  ) : (
                    <span className="muted" title={v === 'indistinguishable' ? 'The interval of the paired difference contains 0' : undefined}>
                      {VERDICT_LABEL[v]}
                    </span>
                  )}
                </td>
                <td className="num">{Number.isFinite(r.raceSamples) ? formatCount(r.raceSamples) : '—'}</td>
                <td className={r.eliminatedAtLook === null ? '' : 'muted'} data-testid="evaluate-fate">
                  {raceFate(r)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RaceLive({
  race,
  direction,
  metric,
  candidates,
}: {
  race: RaceView;
  direction: Direction;
  metric: string;
  candidates: Array<Record<string, unknown>> | undefined;
}) {
  const rows = useMemo(() => liveCandidates(race, direction, candidates), [race, direction, candidates]);
  const eliminated = rows.length - race.alive.length;
  return (
    <div data-testid="evaluate-race">
      <div className="muted" style={{ marginBottom: 6 }} data-testid="evaluate-race-summary">
        look {Number.isFinite(race.looks) ? race.looks : 0} · {race.alive.length} of {rows.length} candidates alive
        {eliminated > 0 ? ` (${eliminated} eliminated)` : ''} · {Number.isFinite(race.n) ? formatCount(race.n) : 0} seeds each ·{' '}
        {Number.isFinite(race.evaluations) ? formatCount(race.evaluations) : 0} evaluations
      </div>
      <div className="table-wrap">
        <table className="grid">
          <thead>
            <tr>
              <th className="num">trial</th>
              <th>candidate</th>
              <th className="num">
                current mean {metric} ({direction === 'minimize' ? '↓' : '↑'})
              </th>
              <th className="num">n</th>
              <th>state</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr
                key={c.id}
                className={c.leader ? 'best' : c.alive ? undefined : 'eliminated'}
                data-testid={c.alive ? 'race-alive' : 'race-eliminated'}
                data-trial={c.id}
              >
                <td className="num">#{c.id}</td>
                <td className="params">{candidateLabel(c.params, paramText)}</td>
                <td className="num">{formatValue(c.mean)}</td>
                <td className="num">{Number.isFinite(c.n) ? formatCount(c.n) : '—'}</td>
                <td>{c.leader ? <span className="badge badge-completed">leader</span> : c.alive ? 'alive' : <span className="muted">eliminated</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
