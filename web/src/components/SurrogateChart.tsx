'use client';

import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { EChartsCoreOption } from '../lib/echarts';
import { useTRPC, type SurrogateOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatParam, formatValue } from '../lib/format';
import { heatmapCells } from '../lib/insights';
import { useRefreshOn } from '../lib/use-refresh';
import { Chart } from './Chart';

export const SURROGATE_RESOLUTION = 32;

type Layer = 'mean' | 'std';

/**
 * The GP surrogate on a 2-D slice: posterior mean (or std) over two chosen float/int parameters,
 * the others held at the best trial's values, with the observed trials on top (the best one
 * as a red diamond). Refitted by the server when trials complete.
 */
export function SurrogateChart({ studyId, version, numericParams }: { studyId: string; version: string; numericParams: string[] }) {
  const trpc = useTRPC();
  const [x, setX] = useState(numericParams[0] ?? '');
  const [y, setY] = useState(numericParams[1] ?? '');
  const [layer, setLayer] = useState<Layer>('mean');
  const enabled = numericParams.length >= 2 && x !== '' && y !== '' && x !== y;
  const input = { studyId, x, y, resolution: SURROGATE_RESOLUTION };
  useRefreshOn(version, trpc.studies.surrogate.queryKey({ studyId }));
  const query = useQuery(trpc.studies.surrogate.queryOptions(input, { enabled, placeholderData: keepPreviousData }));
  const data = query.data;
  const option = useMemo(() => (data && data.mean.length > 0 ? surrogateOption(data, layer) : null), [data, layer]);

  if (numericParams.length < 2) {
    return (
      <div className="panel">
        <h2>Surrogate</h2>
        <div className="muted">The surrogate view needs two float or int parameters.</div>
      </div>
    );
  }

  // Picking the parameter already on the other axis swaps the two.
  const pickX = (v: string) => {
    if (v === y) setY(x);
    setX(v);
  };
  const pickY = (v: string) => {
    if (v === x) setX(y);
    setY(v);
  };
  const select = (value: string, set: (v: string) => void, testId: string, label: string) => (
    <label>
      {label}
      <select value={value} data-testid={testId} onChange={(e) => set(e.target.value)}>
        {numericParams.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="panel">
      <div className="panel-head">
        <h2>Surrogate (GP posterior)</h2>
        {select(x, pickX, 'surrogate-x', 'x')}
        {select(y, pickY, 'surrogate-y', 'y')}
        <label>
          show
          <select value={layer} data-testid="surrogate-layer" onChange={(e) => setLayer(e.target.value as Layer)}>
            <option value="mean">mean</option>
            <option value="std">std</option>
          </select>
        </label>
        {query.isFetching && <span className="muted">fitting…</span>}
        {data && data.message === null && (
          <span className="muted" title={Object.entries(data.fixed).map(([k, v]) => `${k}=${formatParam(v)}`).join(' ')}>
            {data.trialsUsed} of {data.trialsCompleted} trials · other parameters at{' '}
            {data.bestTrialNumber !== null ? `trial #${data.bestTrialNumber}` : 'their midpoints'}
          </span>
        )}
      </div>
      {query.error && !isUnauthorized(query.error) && <div className="banner-error">{errorMessage(query.error)}</div>}
      {data?.message && (
        <div className="muted" data-testid="surrogate-message">
          {data.message}
        </div>
      )}
      {option && data && (
        <Chart
          option={option}
          testId="surrogate-chart"
          className="chart-tall"
          replace={['series', 'xAxis', 'yAxis', 'visualMap']}
          attrs={{ 'data-x': data.x.name, 'data-y': data.y.name, 'data-resolution': data.resolution }}
        />
      )}
    </div>
  );
}

function surrogateOption(data: SurrogateOut, layer: Layer): EChartsCoreOption {
  const surface = layer === 'mean' ? data.mean : data.std;
  const cells = heatmapCells(surface, data.x, data.y);
  let min = Infinity, max = -Infinity;
  for (const row of surface) for (const v of row) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(max > min)) max = min + 1;
  const good = ['#1f3a93', '#4f7fd9', '#9cc3e6', '#f3ecd2', '#e9a66b', '#c2522d'];
  const colors = layer === 'std' ? ['#f7f7f7', '#c9d7ee', '#7c9fd6', '#2f5bd3'] : data.direction === 'minimize' ? good : [...good].reverse();
  const best = data.observations.filter((o) => o.number === data.bestTrialNumber);
  const axis = (a: SurrogateOut['x'], nameGap: number) => ({
    type: a.log ? 'log' : 'value',
    name: a.name,
    nameLocation: 'middle',
    nameGap,
    min: a.low,
    max: a.high,
    axisLabel: { formatter: (v: number) => formatValue(v, 3) },
    splitLine: { show: false },
  });
  return {
    animation: false,
    grid: { left: 70, right: 110, top: 16, bottom: 48 },
    xAxis: axis(data.x, 28),
    yAxis: axis(data.y, 52),
    visualMap: {
      type: 'continuous',
      seriesIndex: 0,
      dimension: 4,
      min,
      max,
      right: 4,
      top: 'middle',
      itemHeight: 200,
      calculable: true,
      precision: 3,
      text: [layer === 'mean' ? data.metric : `std ${data.metric}`, ''],
      inRange: { color: colors },
      formatter: (v: number) => formatValue(v, 3),
    },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: { seriesIndex: number; value: number[] }) => {
        const v = p.value;
        if (p.seriesIndex === 0) {
          const ix = v[5], iy = v[6];
          return `${data.x.name} = ${formatValue(data.x.values[ix], 4)}<br/>${data.y.name} = ${formatValue(data.y.values[iy], 4)}<br/>mean ${formatValue(data.mean[iy][ix], 4)} · std ${formatValue(data.std[iy][ix], 3)}`;
        }
        return `trial #${v[3]}<br/>${data.x.name} = ${formatValue(v[0], 4)}, ${data.y.name} = ${formatValue(v[1], 4)}<br/>${data.metric} = ${formatValue(v[2])}`;
      },
    },
    series: [
      {
        name: layer,
        type: 'custom',
        data: cells,
        encode: { x: [0, 1], y: [2, 3] },
        renderItem(_params: unknown, api: { value: (i: number) => number; coord: (p: number[]) => number[]; visual: (k: string) => string }) {
          const p0 = api.coord([api.value(0), api.value(2)]);
          const p1 = api.coord([api.value(1), api.value(3)]);
          return {
            type: 'rect',
            shape: { x: Math.min(p0[0], p1[0]), y: Math.min(p0[1], p1[1]), width: Math.abs(p1[0] - p0[0]) + 0.5, height: Math.abs(p1[1] - p0[1]) + 0.5 },
            style: { fill: api.visual('color') },
          };
        },
        z: 1,
      },
      {
        name: 'trials',
        type: 'scatter',
        data: data.observations.map((o) => [o.x, o.y, o.value, o.number]),
        symbolSize: 6,
        itemStyle: { color: '#ffffff', borderColor: '#1d2330', borderWidth: 1, opacity: 0.9 },
        z: 3,
      },
      {
        name: 'best',
        type: 'scatter',
        data: best.map((o) => [o.x, o.y, o.value, o.number]),
        symbol: 'diamond',
        symbolSize: 14,
        itemStyle: { color: '#c53030', borderColor: '#ffffff', borderWidth: 1.5 },
        z: 4,
      },
    ],
  };
}
