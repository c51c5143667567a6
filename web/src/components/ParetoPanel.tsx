'use client';

import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { EChartsCoreOption } from '../lib/echarts';
import { useTRPC } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatValue } from '../lib/format';
import { useRefreshOn } from '../lib/use-refresh';
import { Chart } from './Chart';

const GREY = '#9aa5b1', RED = '#c53030', BLUE = '#2f5bd3';

type View = NonNullable<ReturnType<typeof useParetoView>['data']>;

function useParetoView(studyId: string, version: string) {
  const trpc = useTRPC();
  const input = { studyId };
  useRefreshOn(version, trpc.studies.pareto.queryKey(input));
  return useQuery(trpc.studies.pareto.queryOptions(input, { placeholderData: keepPreviousData }));
}

const arrow = (d: string) => (d === 'minimize' ? '↓' : '↑');

/**
 * A multi-objective study: a scatter of two of its objectives (every completed trial, thinned on
 * the server past 1,000, with the stored Pareto front highlighted and joined as a staircase), the
 * hypervolume after each completed trial with its reference point, and the front as a table.
 */
export function ParetoPanel({ studyId, version }: { studyId: string; version: string }) {
  const query = useParetoView(studyId, version);
  const view = query.data;
  const [axes, setAxes] = useState<[number, number]>([0, 1]);
  const scatter = useMemo(() => (view ? scatterOption(view, axes) : null), [view, axes]);
  const curve = useMemo(() => (view ? curveOption(view) : null), [view]);

  if (query.error && !isUnauthorized(query.error)) return <div className="panel"><div className="banner-error">{errorMessage(query.error)}</div></div>;
  if (!view) return null;
  const names = view.objectives.map((o) => `${o.metric} ${arrow(o.direction)}`);
  const sorted = [...view.front].sort((a, b) => (view.objectives[0].direction === 'minimize' ? 1 : -1) * (a.values[0] - b.values[0]) || a.number - b.number);

  return (
    <div className="panel" data-testid="pareto-panel" data-front={view.front.length} data-completed={view.completed}>
      <div className="panel-head">
        <h2>Pareto front</h2>
        <span className="muted">
          {formatCount(view.front.length)} of {formatCount(view.completed)} completed trials on the front · hypervolume {formatValue(view.hypervolume)}
          {view.sampled ? ' · off-front trials thinned' : ''}
        </span>
        <span style={{ flex: 1 }} />
        {view.objectives.length > 2 && (
          <label>
            axes{' '}
            <select value={`${axes[0]},${axes[1]}`} onChange={(e) => setAxes(e.target.value.split(',').map(Number) as [number, number])}>
              {view.objectives.flatMap((_, i) => view.objectives.map((__, j) => (i < j ? <option key={`${i},${j}`} value={`${i},${j}`}>{names[i]} × {names[j]}</option> : null)))}
            </select>
          </label>
        )}
      </div>
      {scatter && <Chart option={scatter} testId="pareto-scatter" replace={['series', 'xAxis', 'yAxis']} attrs={{ 'data-front': view.front.length }} />}
      {curve && <Chart option={curve} testId="pareto-hypervolume" replace={['series']} attrs={{ 'data-points': view.curve.length }} />}
      <p className="muted" data-testid="pareto-reference">
        Reference point [{view.reference.point.map((v) => formatValue(v)).join(', ')}]: {view.reference.note}.
      </p>
      <table className="table" data-testid="pareto-front">
        <thead>
          <tr><th>trial</th>{names.map((n) => <th key={n}>{n}</th>)}<th>params</th></tr>
        </thead>
        <tbody>
          {sorted.slice(0, 100).map((t) => (
            <tr key={t.number}>
              <td>#{t.number}</td>
              {t.values.map((v, k) => <td key={k}>{formatValue(v)}</td>)}
              <td className="muted">{Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'number' ? formatValue(v) : typeof v === 'object' ? '{…}' : String(v)}`).join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sorted.length > 100 && <p className="muted">{formatCount(sorted.length - 100)} more on the front (stepwise show --json lists all).</p>}
    </div>
  );
}

function scatterOption(view: View, [i, j]: [number, number]): EChartsCoreOption {
  const oi = view.objectives[i], oj = view.objectives[j];
  type Row = [number, number, number];
  const others: Row[] = view.others.map((t) => [t.values[i], t.values[j], t.number]);
  const front: Row[] = view.front.map((t) => [t.values[i], t.values[j], t.number]);
  // With two objectives the front is a staircase when sorted by the first one; with more, the projection is just points.
  const stair = view.objectives.length === 2 ? [...front].sort((a, b) => (oi.direction === 'minimize' ? a[0] - b[0] : b[0] - a[0])) : [];
  return {
    animation: false,
    grid: { left: 70, right: 24, top: 36, bottom: 44 },
    legend: { top: 0, right: 0, data: ['trials', 'Pareto front'] },
    tooltip: { trigger: 'item', formatter: (p: { seriesName: string; value: Row }) => `${p.seriesName}: trial #${p.value[2]}<br/>${oi.metric} ${formatValue(p.value[0])}<br/>${oj.metric} ${formatValue(p.value[1])}` },
    xAxis: { type: 'value', name: `${oi.metric} (${oi.direction})`, nameLocation: 'middle', nameGap: 26, scale: true },
    yAxis: { type: 'value', name: `${oj.metric} (${oj.direction})`, scale: true },
    series: [
      { name: 'trials', type: 'scatter', data: others, symbolSize: 6, itemStyle: { color: GREY, opacity: 0.7 } },
      { name: 'Pareto front', type: 'scatter', data: front, symbolSize: 9, itemStyle: { color: RED }, z: 3 },
      ...(stair.length > 1 ? [{ name: 'Pareto front', type: 'line', data: stair, step: 'end', symbol: 'none', lineStyle: { color: RED, width: 1.5 }, silent: true, tooltip: { show: false }, z: 2 }] : []),
    ],
  };
}

function curveOption(view: View): EChartsCoreOption {
  return {
    animation: false,
    grid: { left: 70, right: 24, top: 28, bottom: 44 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', name: 'completed trials', nameLocation: 'middle', nameGap: 26, minInterval: 1 },
    yAxis: { type: 'value', name: 'hypervolume', scale: true },
    series: [{ name: 'hypervolume', type: 'line', step: 'end', symbol: 'none', data: view.curve.map((c) => [c.completed, c.hypervolume]), lineStyle: { color: BLUE, width: 2 } }],
  };
}
