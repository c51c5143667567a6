'use client';

import { useEffect, useRef, useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTRPC, type TrialPageOut, type TrialRowOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { between, formatCount, formatDuration, formatParam, formatTime, formatValue } from '../lib/format';
import { halfWidth, proposalLabel, proposalTitle } from '../lib/insights';
import { StatusBadge } from './StatusBadge';
import { ScheduleParam } from './ScheduleParam';
import { scheduleSummary } from '@stepwise/core/config/schedule-summary';
import { Pager, useCursorPager } from './Pager';

export const TRIAL_PAGE_SIZE = 50;
export interface TrialQuery {
  limit: number;
  sort: SortField;
  order: 'asc' | 'desc';
  status?: TrialStatus;
  cursor: string | null;
}
const TRIAL_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled', 'pruned'] as const;
type SortField = 'number' | 'value' | 'finishedAt';
type TrialStatus = (typeof TRIAL_STATUSES)[number];
/** Params shown as columns; beyond that they collapse into one cell. */
const MAX_PARAM_COLUMNS = 8;
const NO_CONDITIONS: Record<string, string> = {};

/**
 * Server-paginated trials: one page of 50 rows at a time whatever the study's size, sorted and
 * filtered by the server, refreshed while the study runs.
 */
export function TrialTable({
  studyId,
  version,
  paramNames,
  direction,
  bestTrialNumber,
  showProposal = false,
  selectedTrialId = null,
  onSelectTrial,
  snapshot,
  hideWorkerTiming = false,
  conditions = NO_CONDITIONS,
  objectiveNames,
}: {
  studyId: string;
  /**
   * Changes whenever the study's counts or status change (the page polls the study); the table
   * refetches then, and only then, so a finished study gets its final rows and an idle one costs
   * nothing.
   */
  version: string;
  paramNames: string[];
  direction: 'minimize' | 'maximize';
  bestTrialNumber: number | null;
  /** Adds the "Proposal" column (bayesopt: initial design point or acquisition value). */
  showProposal?: boolean;
  selectedTrialId?: string | null;
  /** Clicking a row selects the trial (the page opens its drawer). */
  onSelectTrial?: (t: TrialRowOut) => void;
  /**
   * The page's consistent snapshot: when given, the table shows `page` (read in the same
   * transaction as the study header) and reports its sort, filter and cursor through `onQuery`
   * instead of fetching on its own.
   */
  snapshot?: { page: TrialPageOut | undefined; fetching: boolean; onQuery: (q: TrialQuery) => void };
  /**
   * Hides Worker and Duration: an evaluate candidate runs in seed blocks on many workers over the
   * whole race, so one worker name ("—") and the race's span (the same for every row) said nothing.
   */
  hideWorkerTiming?: boolean;
  /** Multi-objective studies: the metrics, in order; the value column then shows every objective (sorting stays by the first). */
  objectiveNames?: string[];
  /** Conditional parameters (name → "parent in [...]"): one missing from a trial is shown as inactive. */
  conditions?: Record<string, string>;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    void queryClient.invalidateQueries({ queryKey: trpc.trials.list.queryKey({ studyId }) });
  }, [version, studyId, queryClient, trpc]);
  const [sort, setSort] = useState<SortField>('number');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [status, setStatus] = useState<TrialStatus | ''>('');
  const pager = useCursorPager();
  const onQuery = snapshot?.onQuery;
  useEffect(() => {
    onQuery?.({ limit: TRIAL_PAGE_SIZE, sort, order, status: status || undefined, cursor: pager.cursor });
  }, [onQuery, sort, order, status, pager.cursor]);

  const query = useQuery(
    trpc.trials.list.queryOptions(
      { studyId, limit: TRIAL_PAGE_SIZE, sort, order, status: status || undefined, cursor: pager.cursor },
      { placeholderData: keepPreviousData, enabled: !snapshot },
    ),
  );

  function sortBy(field: SortField) {
    if (field === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(field);
      // The natural first look: best values first, latest finishes first.
      setOrder(field === 'value' ? (direction === 'minimize' ? 'asc' : 'desc') : field === 'finishedAt' ? 'desc' : 'asc');
    }
    pager.reset();
  }

  const arrow = (field: SortField) => (sort === field ? <span className="arrow">{order === 'asc' ? '▲' : '▼'}</span> : null);
  const page = snapshot ? snapshot.page : query.data;
  const inline = paramNames.length > MAX_PARAM_COLUMNS;
  const first = pager.page * TRIAL_PAGE_SIZE;
  const label = page ? (page.total === 0 ? 'no trials' : `${formatCount(first + 1)}–${formatCount(first + page.items.length)} of ${formatCount(page.total)}`) : '…';

  return (
    <div className="panel">
      <div className="toolbar">
        <h2 style={{ margin: 0 }}>Trials</h2>
        <label>
          status
          <select
            value={status}
            data-testid="trial-status-filter"
            onChange={(e) => {
              setStatus(e.target.value as TrialStatus | '');
              pager.reset();
            }}
          >
            <option value="">all</option>
            {TRIAL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {(snapshot ? snapshot.fetching : query.isFetching) && <span className="muted">refreshing…</span>}
      </div>
      {query.error && !isUnauthorized(query.error) && <div className="banner-error">{errorMessage(query.error)}</div>}
      <div className="table-wrap">
        <table className="grid" data-testid="trial-table" data-total={page?.total ?? 0}>
          <thead>
            <tr>
              <th className="sortable num" onClick={() => sortBy('number')} data-sort="number">
                #{arrow('number')}
              </th>
              <th>Status</th>
              <th className="sortable num" onClick={() => sortBy('value')} data-sort="value">
                {objectiveNames ? objectiveNames.join(' / ') : 'Value'}{arrow('value')}
              </th>
              <th className="num">n</th>
              {showProposal && <th title="why the point was proposed">Proposal</th>}
              {inline ? <th>Params</th> : paramNames.map((p) => <th key={p} className="num">{p}</th>)}
              <th className="num">Attempt</th>
              {!hideWorkerTiming && <th>Worker</th>}
              {!hideWorkerTiming && <th className="num">Duration</th>}
              <th className="sortable" onClick={() => sortBy('finishedAt')} data-sort="finishedAt">
                Finished{arrow('finishedAt')}
              </th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((t) => (
              <TrialRow
                key={t.id}
                t={t}
                paramNames={paramNames}
                inline={inline}
                best={t.number === bestTrialNumber}
                showProposal={showProposal}
                selected={t.id === selectedTrialId}
                onSelect={onSelectTrial}
                hideWorkerTiming={hideWorkerTiming}
                conditions={conditions}
              />
            ))}
          </tbody>
        </table>
        {page && page.items.length === 0 && <div className="empty">No trials{status ? ` with status ${status}` : ' yet'}.</div>}
      </div>
      <Pager
        page={pager.page}
        hasNext={!!page?.nextCursor}
        onPrev={pager.prev}
        onNext={() => pager.next(page?.nextCursor ?? null)}
        onFirst={pager.reset}
        label={label}
      />
    </div>
  );
}

function ValueCell({ t }: { t: TrialRowOut }) {
  if (t.value === null) return <td className="num">—</td>;
  if (t.values && t.values.length > 1) return <td className="num" data-testid="trial-value">{t.values.map((v) => formatValue(v)).join(' / ')}</td>;
  const half = halfWidth(t.ciLow, t.ciHigh);
  const title =
    half !== null
      ? `CI [${formatValue(t.ciLow)}, ${formatValue(t.ciHigh)}]${t.stderr !== null ? `, stderr ${formatValue(t.stderr)}` : ''}${t.n !== null ? `, n = ${t.n}` : ''}`
      : undefined;
  return (
    <td className="num" title={title} data-testid="trial-value">
      {formatValue(t.value)}
      {half !== null && <span className="ci">± {formatValue(half, 3)}</span>}
    </td>
  );
}

function TrialRow({
  t,
  paramNames,
  inline,
  best,
  showProposal,
  selected,
  onSelect,
  hideWorkerTiming,
  conditions,
}: {
  t: TrialRowOut;
  paramNames: string[];
  inline: boolean;
  best: boolean;
  showProposal: boolean;
  selected: boolean;
  onSelect?: (t: TrialRowOut) => void;
  hideWorkerTiming: boolean;
  conditions: Record<string, string>;
}) {
  // A conditional parameter absent from the trial's params is inactive for it (not unknown, not 0).
  const inactive = (p: string) => p in conditions && t.params[p] === undefined;
  const cls = [best ? 'best' : '', selected ? 'selected' : '', onSelect ? 'clickable' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <tr
      className={cls}
      data-testid="trial-row"
      data-number={t.number}
      data-status={t.status}
      onClick={onSelect ? () => onSelect(t) : undefined}
      title={onSelect ? 'show this trial' : undefined}
    >
      <td className="num">
        {t.number}
        {best && <span title="best trial"> ★</span>}
        {t.onFront && <span title="on the Pareto front" data-testid="trial-on-front"> ◆</span>}
      </td>
      <td>
        <StatusBadge status={t.status} />
      </td>
      <ValueCell t={t} />
      <td className="num">{t.n ?? '—'}</td>
      {showProposal && (
        <td className="mono" data-testid="trial-proposal" title={proposalTitle(t.proposal)}>
          {proposalLabel(t.proposal) || '—'}
        </td>
      )}
      {inline ? (
        <td className="params">
          {paramNames.map((p) => (inactive(p) ? `${p}: inactive` : `${p}=${(p === 'schedule' && scheduleSummary(t.params[p])) || formatParam(t.params[p])}`)).join(' ')}
        </td>
      ) : (
        paramNames.map((p) =>
          inactive(p) ? (
            <td key={p} className="num muted" data-testid="param-inactive" data-param={p} title={`inactive: ${p} is used only when ${conditions[p]}`} style={{ fontStyle: 'italic' }}>
              inactive
            </td>
          ) : (
            <td key={p} className="num mono">
              {p === 'schedule' && typeof t.params[p] === 'object' ? <ScheduleParam value={t.params[p]} /> : formatParam(t.params[p])}
            </td>
          ),
        )
      )}
      <td className="num">{t.attempt}</td>
      {!hideWorkerTiming && <td className="muted">{t.worker ?? '—'}</td>}
      {!hideWorkerTiming && <td className="num">{formatDuration(t.finishedAt ? between(t.startedAt, t.finishedAt) : null)}</td>}
      <td className="muted">{formatTime(t.finishedAt)}</td>
      <td className="error-cell" title={t.error ?? undefined}>
        {t.error ?? ''}
      </td>
    </tr>
  );
}
