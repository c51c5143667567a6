'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useTRPC, type StudyDetailOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatValue } from '../lib/format';
import { halfWidth } from '../lib/insights';
import type { EChartsCoreOption } from '../lib/echarts';
import { Chart } from './Chart';
import { StatusBadge } from './StatusBadge';

/** Most studies overlaid at once: more lines than this no one can tell apart. */
export const COMPARE_MAX = 8;
const PALETTE = ['#2f5bd3', '#1f8a4c', '#c53030', '#b7791f', '#6b46c1', '#0f766e', '#be185d', '#4a5568'];

/**
 * Several studies side by side: their best-so-far curves overlaid (log-y on request) and a
 * table of what each found. The study ids live in the URL (?ids=a,b), so a comparison is a link.
 */
export function ComparePage({ initialIds }: { initialIds: string[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [ids, setIds] = useState<string[]>(initialIds);
  const [logY, setLogY] = useState(false);
  const recent = useQuery(trpc.studies.list.queryOptions({ limit: 50 }));
  const studies = useQueries({ queries: ids.map((id) => trpc.studies.get.queryOptions({ id })) });

  function toggle(id: string) {
    const next = ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id].slice(0, COMPARE_MAX);
    setIds(next);
    router.replace(`/compare?ids=${next.map(encodeURIComponent).join(',')}`);
  }

  const loaded = studies.map((q) => q.data).filter((s): s is StudyDetailOut => !!s);
  const positive = loaded.every((s) => s.bestSoFar.every((p) => p.value > 0));
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      color: PALETTE,
      grid: { left: 64, right: 24, top: 40, bottom: 44 },
      legend: { top: 0, type: 'scroll' },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)) },
      xAxis: { id: 'x', type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26, min: 0 },
      yAxis: logY && positive ? { id: 'y', type: 'log', name: 'best so far (log)' } : { id: 'y', type: 'value', name: 'best so far', scale: true },
      series: loaded.map((s) => {
        const pts = [...s.bestSoFar].sort((a, b) => a.trialNumber - b.trialNumber);
        let run: number | null = null;
        return {
          id: s.id,
          name: s.name,
          type: 'line',
          step: 'end',
          showSymbol: false,
          data: pts.map((p) => {
            run = run === null ? p.value : s.direction === 'minimize' ? Math.min(run, p.value) : Math.max(run, p.value);
            return [p.trialNumber, run];
          }),
        };
      }),
    }),
    [loaded, logY, positive],
  );

  return (
    <>
      <div className="panel">
        <h2>Studies</h2>
        {recent.error && !isUnauthorized(recent.error) && <div className="banner-error">{errorMessage(recent.error)}</div>}
        <div className="toolbar" data-testid="compare-picker" style={{ maxHeight: 160, overflowY: 'auto' }}>
          {[...(recent.data?.items ?? []).filter((s) => !ids.includes(s.id)), ...loaded].map((s) => (
            <label key={s.id}>
              <input type="checkbox" data-testid="compare-pick" data-id={s.id} checked={ids.includes(s.id)} onChange={() => toggle(s.id)} disabled={!ids.includes(s.id) && ids.length >= COMPARE_MAX} />
              {s.name}
            </label>
          ))}
        </div>
        <div className="muted">Pick up to {COMPARE_MAX} studies; the URL keeps the comparison.</div>
      </div>
      {studies.map((q, i) =>
        q.error && !isUnauthorized(q.error) ? (
          <div key={ids[i]} className="banner-error">
            {ids[i]}: {errorMessage(q.error)}
          </div>
        ) : null,
      )}
      {loaded.length > 0 && (
        <>
          <div className="panel">
            <div className="panel-head">
              <h2>Best so far</h2>
              <label>
                <input type="checkbox" checked={logY} data-testid="compare-log-y" onChange={(e) => setLogY(e.target.checked)} /> log y
              </label>
              {logY && !positive && <span className="muted">log-y needs positive values in every study</span>}
            </div>
            <Chart option={option} testId="compare-chart" replace={['series', 'yAxis']} attrs={{ 'data-series': loaded.length }} />
          </div>
          <div className="panel">
            <table className="grid" data-testid="compare-table">
              <thead>
                <tr>
                  <th>Study</th>
                  <th>Kind</th>
                  <th>Status</th>
                  <th>Metric</th>
                  <th className="num">Trials</th>
                  <th className="num">Best</th>
                  <th className="num">Best trial</th>
                  <th>Objective</th>
                </tr>
              </thead>
              <tbody>
                {loaded.map((s) => {
                  const t = s.bestTrial && s.bestTrial.number === s.bestTrialNumber ? s.bestTrial : null;
                  const half = t ? halfWidth(t.ciLow, t.ciHigh) : null;
                  const obj = s.config?.objective;
                  return (
                    <tr key={s.id} data-testid="compare-row">
                      <td>
                        <Link href={`/studies/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                      </td>
                      <td>{s.kind}</td>
                      <td>
                        <StatusBadge status={s.status} />
                      </td>
                      <td>
                        {s.metric} ({s.direction === 'minimize' ? 'min' : 'max'})
                      </td>
                      <td className="num">
                        {formatCount(s.trialsCompleted)} / {formatCount(s.trialsTotal)}
                      </td>
                      <td className="num">
                        {formatValue(s.bestValue)}
                        {half !== null && <span className="ci">± {formatValue(half, 3)}</span>}
                      </td>
                      <td className="num">{s.bestTrialNumber ?? '—'}</td>
                      <td className="muted">{obj ? (obj.type === 'function' ? `${obj.function}${obj.noiseStd ? `, noise ${obj.noiseStd}` : ''}` : obj.type === 'sampler' ? `sampler ${obj.model}` : obj.type) : '—'}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
