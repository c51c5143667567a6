'use client';

import Link from 'next/link';
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTRPC, type StudyListItem } from '../lib/trpc';
import { isTransient, isUnauthorized, queryErrorMessage } from '../lib/errors';
import { formatAgo, formatValue } from '../lib/format';
import { StatusBadge } from './StatusBadge';
import { ProgressBar } from './ProgressBar';
import { Pager, useCursorPager } from './Pager';

const PAGE_SIZE = 25;
const STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

export const isActive = (s: { status: string }) => s.status === 'queued' || s.status === 'running' || s.status === 'paused';

export function StudiesPage() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<Status | ''>('');
  const pager = useCursorPager();
  const query = useQuery(
    trpc.studies.list.queryOptions(
      { limit: PAGE_SIZE, cursor: pager.cursor, status: status || undefined },
      {
        placeholderData: keepPreviousData,
        // Fast while something is moving; slow otherwise so studies launched elsewhere still appear.
        // During an outage (database, server) keep asking every few seconds until it answers.
        refetchInterval: (q) => (q.state.error && isTransient(q.state.error) ? 3000 : q.state.data?.items.some(isActive) ? 1500 : 10_000),
      },
    ),
  );
  const items = query.data?.items ?? [];

  return (
    <>
      <div className="page-head">
        <h1>Studies</h1>
        <span className="spacer" />
        <label className="muted">
          status{' '}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as Status | '');
              pager.reset();
            }}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <Link href="/launch" className="button primary" data-testid="launch-link">
          Launch study
        </Link>
      </div>
      {query.error && !isUnauthorized(query.error) && (
        <div className="banner-error" data-testid="studies-error">
          {queryErrorMessage(query.error)}
        </div>
      )}
      <div className="table-wrap">
        <table className="grid" data-testid="studies-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Status</th>
              <th>Progress</th>
              <th className="num">Best</th>
              <th>Objective</th>
              <th>Source</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <StudyRow key={s.id} s={s} />
            ))}
          </tbody>
        </table>
        {query.isSuccess && items.length === 0 && (
          <div className="empty">
            No studies{status ? ` with status ${status}` : ''} yet. <Link href="/launch">Launch one</Link> or run{' '}
            <code>npx stepwise launch examples/branin-random.yaml</code>.
          </div>
        )}
        {query.isPending && <div className="empty">Loading…</div>}
      </div>
      <Pager page={pager.page} hasNext={!!query.data?.nextCursor} onPrev={pager.prev} onNext={() => pager.next(query.data?.nextCursor ?? null)} onFirst={pager.reset} />
    </>
  );
}

function StudyRow({ s }: { s: StudyListItem }) {
  return (
    <tr data-testid="study-row" data-status={s.status} data-study-id={s.id}>
      <td>
        <Link href={`/studies/${encodeURIComponent(s.id)}`}>{s.name}</Link>
        {s.error && <div className="field-error">{s.error}</div>}
        {s.health?.state === 'stalled' && <div className="field-error">stalled: {s.health.reason}</div>}
      </td>
      <td>{s.kind}</td>
      <td>
        <StatusBadge status={s.status} health={s.health} />
      </td>
      <td>
        <ProgressBar completed={s.trialsCompleted} failed={s.trialsFailed} running={s.trialsRunning} total={s.trialsTotal} pruned={s.trialsPruned} />
      </td>
      <td className="num" title={s.bestTrialNumber !== null ? `trial #${s.bestTrialNumber}` : undefined}>
        {formatValue(s.bestValue)}
      </td>
      <td className="muted">
        {s.direction === 'minimize' ? 'min' : 'max'} {s.metric}
      </td>
      <td>{s.source}</td>
      <td className="muted" title={s.createdAt.toISOString()}>
        {formatAgo(s.createdAt)}
      </td>
    </tr>
  );
}
