'use client';

import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { errorBarRenderer, type EChartsCoreOption } from '../lib/echarts';
import { useTRPC } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatValue } from '../lib/format';
import { nfeSeries, type NfeChartData, type NfePoint } from '../lib/nfe';
import { useRefreshOn } from '../lib/use-refresh';
import { Chart } from './Chart';

/** Completed trials the chart reads (one page of the trials API). */
export const NFE_TRIAL_LIMIT = 500;

const PALETTE = ['#2f5bd3', '#d9822b', '#1f8a4c', '#c53030', '#7e57c2', '#0f8b8d', '#a0522d', '#d4a017', '#5b6577', '#e0559b'];

/**
 * Sampler studies whose trials run at several NFEs: the metric against NFE, one line per preset
 * (and spacing, when the study varies it), with each point's confidence interval as an error bar.
 */
export function NfeChart({
  studyId,
  version,
  metric,
  direction,
  preset,
  spacing,
}: {
  studyId: string;
  version: string;
  metric: string;
  direction: 'minimize' | 'maximize';
  /** The objective's fixed preset / spacing, for trials whose params do not set them. */
  preset?: unknown;
  spacing?: unknown;
}) {
  const trpc = useTRPC();
  const input = { studyId, limit: NFE_TRIAL_LIMIT, sort: 'number' as const, order: 'asc' as const, status: 'completed' as const };
  useRefreshOn(version, trpc.trials.list.queryKey(input));
  const query = useQuery(trpc.trials.list.queryOptions(input, { placeholderData: keepPreviousData }));
  const [logY, setLogY] = useState(false);
  const [logX, setLogX] = useState(false);
  const data = useMemo(() => (query.data ? nfeSeries(query.data.items, { direction, preset, spacing }) : null), [query.data, direction, preset, spacing]);
  const canLogY = !!data && !data.nonPositive;
  const useLogY = logY && canLogY;
  const option = useMemo(() => (data ? nfeOption(data, metric, direction, useLogY, logX) : null), [data, metric, direction, useLogY, logX]);
  const points = data ? data.series.reduce((s, x) => s + x.points.length, 0) : 0;

  return (
    <div className="panel">
      <div className="panel-head">
        <h2>{metric} vs NFE per preset</h2>
        {data && (
          <span className="muted">
            {data.series.length} line{data.series.length === 1 ? '' : 's'} · {data.nfes.length} NFE value{data.nfes.length === 1 ? '' : 's'}
            {data.reduced ? ' · best trial per (preset, spacing, NFE)' : ''}
            {query.data && query.data.total > query.data.items.length ? ` · first ${formatCount(query.data.items.length)} of ${formatCount(query.data.total)} completed trials` : ''}
          </span>
        )}
        <span style={{ flex: 1 }} />
        <label title={canLogY ? undefined : 'a log axis needs positive values and interval ends'}>
          <input type="checkbox" data-testid="nfe-log-y" checked={useLogY} disabled={!canLogY} onChange={(e) => setLogY(e.target.checked)} />
          log y
        </label>
        <label>
          <input type="checkbox" data-testid="nfe-log-x" checked={logX} onChange={(e) => setLogX(e.target.checked)} />
          log x
        </label>
      </div>
      {query.error && !isUnauthorized(query.error) && <div className="banner-error">{errorMessage(query.error)}</div>}
      {data && points === 0 && (
        <div className="empty" data-testid="nfe-chart-empty">
          No completed trials with an NFE yet.
        </div>
      )}
      {option && points > 0 && (
        <Chart
          option={option}
          testId="nfe-chart"
          replace={['series', 'xAxis', 'yAxis', 'legend']}
          attrs={{ 'data-series': data!.series.length, 'data-points': points, 'data-log-y': useLogY ? 1 : 0 }}
        />
      )}
    </div>
  );
}


function nfeOption(data: NfeChartData, metric: string, direction: 'minimize' | 'maximize', logY: boolean, logX: boolean): EChartsCoreOption {
  const series: unknown[] = [];
  data.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const row = (p: NfePoint) => [p.nfe, p.value, p.ciLow ?? p.value, p.ciHigh ?? p.value, p.n ?? Number.NaN, p.trial];
    series.push({
      name: s.label,
      type: 'line',
      data: s.points.map(row),
      encode: { x: 0, y: 1 },
      symbol: 'circle',
      symbolSize: 6,
      lineStyle: { width: 2, color },
      itemStyle: { color },
      z: 3,
    });
    if (s.points.some((p) => p.ciLow !== null && p.ciHigh !== null)) {
      series.push({
        name: s.label,
        type: 'custom',
        data: s.points.filter((p) => p.ciLow !== null && p.ciHigh !== null).map(row),
        encode: { x: 0, y: [2, 3] },
        z: 2,
        silent: true,
        tooltip: { show: false },
        itemStyle: { color },
        renderItem: errorBarRenderer({ x: 0, lo: 2, hi: 3 }, { stroke: color, lineWidth: 1.2 }, 4),
      });
    }
  });
  return {
    animation: false,
    color: PALETTE,
    grid: { left: 70, right: 24, top: 48, bottom: 44 },
    legend: { top: 0, right: 0, type: 'scroll', data: data.series.map((s) => s.label) },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { seriesName: string; value: number[] }) => {
        const [nfe, value, lo, hi, n, trial] = p.value;
        const ci = lo !== value || hi !== value ? ` [${formatValue(lo, 4)}, ${formatValue(hi, 4)}]` : '';
        const nn = Number.isFinite(n) ? `, n = ${formatCount(n)}` : '';
        return `${p.seriesName}<br/>NFE ${nfe}: ${formatValue(value)}${ci}${nn}<br/>trial #${trial}`;
      },
    },
    xAxis: logX
      ? { type: 'log', name: 'NFE', nameLocation: 'middle', nameGap: 26, logBase: 2 }
      : { type: 'value', name: 'NFE', nameLocation: 'middle', nameGap: 26, minInterval: 1, scale: true },
    yAxis: logY
      ? { type: 'log', name: `${metric} (${direction === 'minimize' ? '↓' : '↑'}, log)` }
      : { type: 'value', name: `${metric} (${direction === 'minimize' ? '↓' : '↑'})`, scale: true },
    series,
  };
}
