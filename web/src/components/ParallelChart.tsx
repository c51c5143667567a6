'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { EChartsCoreOption } from '../lib/echarts';
import { useTRPC, type ParallelOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatValue } from '../lib/format';
import { parallelLabelLayout } from '../lib/insights';
import { axisValue, inactiveAxes, inactiveAxisPatch } from '../lib/parallel-inactive';
import { useRefreshOn } from '../lib/use-refresh';
import { Chart } from './Chart';

export const PARALLEL_LIMIT = 1000;

/**
 * Parameters against the objective, one line per completed trial (evenly thinned beyond
 * PARALLEL_LIMIT), coloured by value with the best end darkest. Categorical parameters get
 * category axes; log-scaled ones log axes. Dragging on an axis brushes a range. A conditional
 * parameter's axis gets an "inactive" tick for the trials that do not use it.
 */
export function ParallelChart({ studyId, version }: { studyId: string; version: string }) {
  const trpc = useTRPC();
  const input = { studyId, limit: PARALLEL_LIMIT };
  useRefreshOn(version, trpc.studies.parallel.queryKey(input));
  const query = useQuery(trpc.studies.parallel.queryOptions(input, { placeholderData: keepPreviousData }));
  const data = query.data;
  // The chart's width decides how much room each axis name has (names must not overlap).
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth((w) => (Math.abs(w - el.clientWidth) > 16 ? el.clientWidth : w)));
    ro.observe(el);
    setWidth(el.clientWidth || 1200);
    return () => ro.disconnect();
  }, []);
  const inactive = useMemo(() => (data ? inactiveAxes(data.axes, data.rows) : []), [data]);
  const option = useMemo(() => (data ? parallelOption(data, width, inactive) : null), [data, width, inactive]);

  return (
    <div className="panel" ref={box}>
      <div className="panel-head">
        <h2>Parameters vs objective</h2>
        {data && (
          <span className="muted" data-testid="parallel-count">
            {data.sampled
              ? `${formatCount(data.rows.length)} of ${formatCount(data.total)} completed trials (evenly sampled)`
              : `${formatCount(data.total)} completed trials`}
          </span>
        )}
      </div>
      {query.error && !isUnauthorized(query.error) && <div className="banner-error">{errorMessage(query.error)}</div>}
      {data && data.rows.length === 0 && <div className="empty">No completed trials yet.</div>}
      {option && data && data.rows.length > 0 && (
        <Chart
          option={option}
          testId="parallel-chart"
          className="chart-tall"
          replace={['series', 'parallelAxis', 'visualMap']}
          attrs={{ 'data-rows': data.rows.length, 'data-inactive-axes': data.axes.filter((_, i) => inactive[i]).map((a) => a.name).join(',') }}
        />
      )}
    </div>
  );
}

function parallelOption(data: ParallelOut, width: number, inactive: readonly boolean[]): EChartsCoreOption {
  const values = data.rows.map((r) => r.value);
  let min = Math.min(...values), max = Math.max(...values);
  if (!(max > min)) {
    min -= 0.5;
    max += 0.5;
  }
  const n = data.axes.length;
  const layout = parallelLabelLayout(width, n + 1);
  const parallelAxis: unknown[] = data.axes.map((a, dim) => {
    const axis =
      a.type === 'categorical'
        ? { dim, name: a.name, type: 'category', data: (a.choices ?? []).map(String) }
        : { dim, name: a.name, type: a.log ? 'log' : 'value', min: a.low ?? undefined, max: a.high ?? undefined, minInterval: a.type === 'int' ? 1 : undefined };
    if (!inactive[dim]) return axis;
    const patch = inactiveAxisPatch(a) as { axisLabel?: Record<string, unknown> };
    // Keep the layout's label settings (truncation, hiding) under the inactive formatter.
    return { ...axis, ...patch, ...(patch.axisLabel ? { axisLabel: { show: layout.showTickLabels, width: layout.tickWidth, overflow: 'truncate', hideOverlap: true, ...patch.axisLabel } } : {}) };
  });
  parallelAxis.push({ dim: n, name: `${data.metric} (${data.direction === 'minimize' ? '↓' : '↑'})`, type: 'value', scale: true, nameTextStyle: { fontWeight: 'bold' } });
  // Best values darkest: low values for minimisation, high for maximisation.
  const colors = ['#1f3a93', '#4f7fd9', '#9cc3e6', '#f0d9a0', '#e08b5a'];
  return {
    animation: false,
    parallel: {
      left: 56,
      right: 96,
      top: layout.nameRotate ? 72 : 48,
      bottom: 24,
      parallelAxisDefault: {
        nameLocation: 'end',
        nameGap: 14,
        nameRotate: layout.nameRotate,
        nameTextStyle: { color: '#1d2330', width: layout.nameWidth, overflow: 'truncate', align: layout.nameRotate ? 'left' : 'center' },
        axisLabel: { show: layout.showTickLabels, width: layout.tickWidth, overflow: 'truncate', hideOverlap: true },
      },
    },
    parallelAxis,
    visualMap: {
      type: 'continuous',
      dimension: n,
      min,
      max,
      right: 4,
      top: 'middle',
      itemHeight: 180,
      calculable: true,
      precision: 3,
      inRange: { color: data.direction === 'minimize' ? colors : [...colors].reverse() },
      formatter: (v: number) => formatValue(v, 3),
    },
    tooltip: { trigger: 'item', confine: true },
    series: [
      {
        name: data.metric,
        type: 'parallel',
        lineStyle: { width: 1, opacity: 0.5 },
        emphasis: { lineStyle: { width: 2.5, opacity: 1 } },
        inactiveOpacity: 0.04,
        activeOpacity: 0.8,
        progressive: 500,
        data: data.rows.map((r) => ({ name: `trial #${r.number}`, value: [...data.axes.map((a, i) => axisValue(a, r.params[a.name], inactive[i])), r.value] })),
      },
    ],
  };
}
