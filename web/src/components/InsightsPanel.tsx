'use client';

import { useMemo, useState } from 'react';
import { IMPORTANCE_METHOD_LABEL, empiricalDistribution, gpArdImportance, varianceShareImportance, type ImportanceMethod } from '@stepwise/core';
import type { EChartsCoreOption } from '../lib/echarts';
import { errorBarRenderer } from '../lib/echarts';
import type { PointsOut as ParallelOut, StudyDetailOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatParam, formatValue } from '../lib/format';
import { axesToSpace } from '../lib/insights';
import { EMPTY_FILTER, axisCoordinate, contourGrid, filterRows, parseBound, type TrialFilter } from '../lib/insight-views';
import { useTrialPoints } from '../lib/use-trial-points';
import { useSettled } from '../lib/use-settled';
import { Chart } from './Chart';

const Z95 = 1.959963984540054;
type Axis = ParallelOut['axes'][number];
type Row = ParallelOut['rows'][number];

/**
 * The views optuna-dashboard has, for every study kind: slice plot per parameter, contour of the
 * observed values over any two parameters, parameter importances (method named), empirical
 * distribution of the values and a trial filter by parameter ranges and value. All of them read
 * the same server-thinned completed trials with their intervals (studies.points: one query, at
 * most POINTS_LIMIT rows whatever the study's size).
 */
export function InsightsPanel({ study, version, noiseStd }: { study: StudyDetailOut; version: string; noiseStd: number | null }) {
  const query = useTrialPoints(study.id, version);
  const data = query.data;
  if (query.error && !isUnauthorized(query.error)) return <div className="panel banner-error">{errorMessage(query.error)}</div>;
  if (!data) return null;
  if (data.rows.length === 0 || data.axes.length === 0) {
    return (
      <div className="panel" data-testid="insights">
        <h2>Insights</h2>
        <div className="empty">No completed trials yet.</div>
      </div>
    );
  }
  return (
    <div className="panel" data-testid="insights">
      <div className="panel-head">
        <h2>Insights</h2>
        <span className="muted">
          {data.sampled ? `${formatCount(data.rows.length)} of ${formatCount(data.total)} completed trials (evenly sampled)` : `${formatCount(data.total)} completed trials`}
        </span>
      </div>
      <div className="insights-grid" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(520px, 1fr))', gap: 14 }}>
        <SliceView data={data} noiseStd={noiseStd} />
        {data.axes.length >= 2 && <ContourView data={data} />}
        <ImportanceView data={data} bayesopt={study.kind === 'bayesopt'} strategy={study.strategy} live={study.status === 'queued' || study.status === 'running' || study.status === 'paused'} />
        <EdfView data={data} />
      </div>
      <FilterView data={data} />
    </div>
  );
}

function AxisSelect({ axes, value, onChange, testId }: { axes: Axis[]; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <select value={value} data-testid={testId} onChange={(e) => onChange(e.target.value)}>
      {axes.map((a) => (
        <option key={a.name} value={a.name}>
          {a.name}
        </option>
      ))}
    </select>
  );
}

function valueAxis(data: ParallelOut) {
  return { type: 'value', name: `${data.metric} (${data.direction === 'minimize' ? '↓' : '↑'})`, scale: true };
}

function paramAxis(a: Axis) {
  return a.type === 'categorical'
    ? { type: 'category', name: a.name, data: (a.choices ?? []).map(String), nameLocation: 'middle', nameGap: 26 }
    : { type: a.log ? 'log' : 'value', name: a.name, min: a.low ?? undefined, max: a.high ?? undefined, nameLocation: 'middle', nameGap: 26 };
}

/** Value against one parameter, every trial a dot with its 95% interval (its own for an estimate, ± 1.96 σ for known noise). */
/** Error bars of the slice plot: on a category axis api.value gives the category's index, which coord takes too. */
function sliceErrorBar(axis: Axis) {
  return axis.type === 'categorical'
    ? (_p: unknown, api: { value: (d: number) => number; coord: (p: Array<number | string>) => number[] }) => {
        const x = api.value(0);
        const lo = api.coord([x, api.value(1)]), hi = api.coord([x, api.value(2)]);
        const style = { stroke: '#9cc3e6', lineWidth: 1 };
        return { type: 'group', children: [{ type: 'line', shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style }] };
      }
    : errorBarRenderer({ x: 0, lo: 1, hi: 2 }, { stroke: '#9cc3e6', lineWidth: 1 }, 2);
}

function SliceView({ data, noiseStd }: { data: ParallelOut; noiseStd: number | null }) {
  const [name, setName] = useState(data.axes[0].name);
  const axis = data.axes.find((a) => a.name === name) ?? data.axes[0];
  const option = useMemo<EChartsCoreOption>(() => {
    const pts = data.rows.flatMap((r) => {
      const c = axisCoordinate(axis, r.params[axis.name]);
      if (c === null) return [];
      const ci = r.ciLow !== null && r.ciHigh !== null ? [r.ciLow, r.ciHigh] : noiseStd && noiseStd > 0 ? [r.value - Z95 * noiseStd, r.value + Z95 * noiseStd] : null;
      return [[axis.type === 'categorical' ? String(r.params[axis.name]) : c, r.value, r.number, ci?.[0] ?? null, ci?.[1] ?? null]];
    });
    const series: unknown[] = [{ id: 'slice', name: data.metric, type: 'scatter', data: pts, symbolSize: 5, itemStyle: { color: '#4f7fd9', opacity: 0.7 } }];
    const bars = pts.filter((p) => p[3] !== null);
    if (bars.length > 0 && pts.length <= 2000) {
      series.push({
        id: 'slice-ci',
        name: '95% CI',
        type: 'custom',
        data: bars.map((p) => [p[0], p[3], p[4]]),
        encode: { x: 0, y: [1, 2] },
        silent: true,
        renderItem: sliceErrorBar(axis),
      });
    }
    return {
      animation: false,
      grid: { left: 64, right: 16, top: 24, bottom: 44 },
      tooltip: { trigger: 'item', formatter: (p: { value: unknown[] }) => `trial #${p.value[2]}<br/>${axis.name} = ${String(p.value[0])}<br/>${data.metric} = ${formatValue(p.value[1] as number)}` },
      // Axes at the plot's edges: by default each crosses the other at zero, mid-plot.
      xAxis: { id: 'x', ...paramAxis(axis), axisLine: { onZero: false } },
      yAxis: { id: 'y', ...valueAxis(data), axisLine: { onZero: false } },
      series,
    };
  }, [data, axis, noiseStd]);
  return (
    <div data-testid="slice-view">
      <div className="toolbar">
        <strong>Slice</strong>
        <label>
          parameter <AxisSelect axes={data.axes} value={axis.name} onChange={setName} testId="slice-param" />
        </label>
      </div>
      <Chart option={option} testId="slice-chart" replace={['series', 'xAxis', 'yAxis']} attrs={{ 'data-param': axis.name, 'data-error-bars': data.rows.some((r) => r.ciLow !== null) || (noiseStd ?? 0) > 0 ? 1 : 0 }} />
    </div>
  );
}

/** Mean observed value per cell of a grid over two parameters, with the trials on top. */
function ContourView({ data }: { data: ParallelOut }) {
  const [xName, setX] = useState(data.axes[0].name);
  const [yName, setY] = useState(data.axes[1].name);
  const x = data.axes.find((a) => a.name === xName) ?? data.axes[0];
  const y = data.axes.find((a) => a.name === yName) ?? data.axes[1];
  const option = useMemo<EChartsCoreOption>(() => {
    const g = contourGrid(data.rows, x, y);
    const cells: number[][] = [];
    g.mean.forEach((row, iy) => row.forEach((m, ix) => m !== null && cells.push([g.xEdges[ix], g.xEdges[ix + 1], g.yEdges[iy], g.yEdges[iy + 1], m, g.count[iy][ix]])));
    const ms = cells.map((c) => c[4]);
    const lo = Math.min(...ms), hi = Math.max(...ms);
    const colors = ['#1f3a93', '#4f7fd9', '#9cc3e6', '#f0d9a0', '#e08b5a'];
    const coord = (a: Axis, v: unknown) => axisCoordinate(a, v);
    const numericAxis = (a: Axis, edges: number[]) => ({
      type: a.type !== 'categorical' && a.log ? 'log' : 'value',
      name: a.name,
      min: edges[0],
      max: edges[edges.length - 1],
      nameLocation: 'middle',
      nameGap: 26,
      ...(a.type === 'categorical' ? { interval: 1, axisLabel: { formatter: (v: number) => String((a.choices ?? [])[Math.round(v)] ?? '') } } : {}),
    });
    return {
      animation: false,
      grid: { left: 64, right: 80, top: 24, bottom: 44 },
      tooltip: { trigger: 'item' },
      visualMap: { type: 'continuous', dimension: 4, seriesIndex: 0, min: lo, max: hi > lo ? hi : lo + 1, right: 0, top: 'middle', itemHeight: 140, precision: 3, inRange: { color: data.direction === 'minimize' ? colors : [...colors].reverse() } },
      xAxis: { id: 'x', ...numericAxis(x, g.xEdges) },
      yAxis: { id: 'y', ...numericAxis(y, g.yEdges) },
      series: [
        {
          id: 'cells',
          name: `mean ${data.metric}`,
          type: 'custom',
          data: cells,
          encode: { x: [0, 1], y: [2, 3] },
          tooltip: { formatter: (p: { value: number[] }) => `mean ${data.metric} ${formatValue(p.value[4])} over ${p.value[5]} trials` },
          renderItem(_p: unknown, api: { value: (i: number) => number; coord: (p: number[]) => number[]; visual: (k: string) => string }) {
            const p0 = api.coord([api.value(0), api.value(2)]);
            const p1 = api.coord([api.value(1), api.value(3)]);
            return { type: 'rect', shape: { x: Math.min(p0[0], p1[0]), y: Math.min(p0[1], p1[1]), width: Math.abs(p1[0] - p0[0]) + 0.5, height: Math.abs(p1[1] - p0[1]) + 0.5 }, style: { fill: api.visual('color') } };
          },
        },
        {
          id: 'points',
          name: 'trials',
          type: 'scatter',
          data: data.rows.flatMap((r) => {
            const cx = coord(x, r.params[x.name]), cy = coord(y, r.params[y.name]);
            return cx === null || cy === null ? [] : [[cx, cy, r.value, r.number]];
          }),
          symbolSize: 4,
          itemStyle: { color: '#ffffff', borderColor: '#1d2330', borderWidth: 0.8, opacity: 0.8 },
          tooltip: { formatter: (p: { value: number[] }) => `trial #${p.value[3]}: ${formatValue(p.value[2])}` },
        },
      ],
    };
  }, [data, x, y]);
  return (
    <div data-testid="contour-view">
      <div className="toolbar">
        <strong>Contour</strong>
        <label>
          x <AxisSelect axes={data.axes} value={x.name} onChange={setX} testId="contour-x" />
        </label>
        <label>
          y <AxisSelect axes={data.axes} value={y.name} onChange={setY} testId="contour-y" />
        </label>
        <span className="muted">mean observed value per cell</span>
      </div>
      <Chart option={option} testId="contour-chart" replace={['series', 'xAxis', 'yAxis', 'visualMap']} />
    </div>
  );
}

/** Importances as bars, with the method named: model-free variance share, or the GP's ARD lengthscales. */
function ImportanceView({ data: latest, bayesopt, strategy, live }: { data: ParallelOut; bayesopt: boolean; strategy: unknown; live: boolean }) {
  const [method, setMethod] = useState<ImportanceMethod>(bayesopt ? 'gp-ard' : 'variance-share');
  // A GP fit per poll would stall a live page: the importances follow the study in steps of a tenth.
  const data = useSettled(latest, live) ?? latest;
  const result = useMemo(() => {
    const space = axesToSpace(data.axes);
    try {
      return method === 'gp-ard'
        ? gpArdImportance(space, data.rows.map((r) => ({ number: r.number, params: r.params as never, value: r.value, stderr: null })), data.direction, { state: bayesopt ? strategy : undefined })
        : varianceShareImportance(space, data.rows as never);
    } catch {
      return null;
    }
  }, [data, method, bayesopt, strategy]);
  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!result) return null;
    const ps = [...result.params].reverse();
    return {
      animation: false,
      grid: { left: 110, right: 24, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : String(v)) },
      xAxis: { id: 'x', type: 'value', max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
      yAxis: { id: 'y', type: 'category', data: ps.map((p) => p.name), axisLabel: { width: 100, overflow: 'truncate' } },
      series: [{ id: 'importance', name: 'importance', type: 'bar', data: ps.map((p) => p.importance), itemStyle: { color: '#4f7fd9' } }],
    };
  }, [result]);
  return (
    <div data-testid="importance-view" data-method={result?.method ?? ''}>
      <div className="toolbar">
        <strong>Parameter importance</strong>
        <select value={method} data-testid="importance-method" onChange={(e) => setMethod(e.target.value as ImportanceMethod)}>
          <option value="variance-share">variance share</option>
          <option value="gp-ard">GP ARD lengthscales</option>
        </select>
      </div>
      <div className="muted" data-testid="importance-method-label" style={{ fontSize: 12 }}>
        {IMPORTANCE_METHOD_LABEL[method]}
        {result ? `, ${formatCount(result.trialsUsed)} trials` : ''}
      </div>
      {option ? <Chart option={option} testId="importance-chart" replace={['series', 'xAxis', 'yAxis']} /> : <div className="empty">Needs at least 4 completed trials with different values.</div>}
    </div>
  );
}

/** Fraction of trials at or below each value (Optuna's EDF). */
function EdfView({ data }: { data: ParallelOut }) {
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      grid: { left: 56, right: 16, top: 24, bottom: 44 },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v, 4) : String(v)) },
      xAxis: { id: 'x', type: 'value', name: data.metric, nameLocation: 'middle', nameGap: 26, scale: true, axisLine: { onZero: false } },
      yAxis: { id: 'y', type: 'value', name: 'fraction of trials', min: 0, max: 1, axisLine: { onZero: false } },
      series: [{ id: 'edf', name: 'EDF', type: 'line', step: 'end', showSymbol: false, data: empiricalDistribution(data.rows.map((r) => r.value)), lineStyle: { color: '#1f8a4c', width: 2 } }],
    }),
    [data],
  );
  return (
    <div data-testid="edf-view">
      <div className="toolbar">
        <strong>Empirical distribution</strong>
      </div>
      <Chart option={option} testId="edf-chart" />
    </div>
  );
}

const FILTER_ROWS_SHOWN = 50;

/** Completed trials filtered by parameter ranges, choices and value, best first. */
function FilterView({ data }: { data: ParallelOut }) {
  const [f, setF] = useState<TrialFilter>(EMPTY_FILTER);
  const [text, setText] = useState<Record<string, string>>({});
  const kept = useMemo(() => {
    const sign = data.direction === 'minimize' ? 1 : -1;
    return filterRows(data.rows as Row[], data.axes, f).sort((a, b) => sign * (a.value - b.value));
  }, [data, f]);
  function bound(key: string, side: 'min' | 'max', s: string) {
    setText((t) => ({ ...t, [`${key}.${side}`]: s }));
    const v = parseBound(s);
    setF((prev) =>
      key === '__value'
        ? { ...prev, value: { ...prev.value, [side]: v } }
        : { ...prev, ranges: { ...prev.ranges, [key]: { ...prev.ranges[key], [side]: v } } },
    );
  }
  const box = (key: string, side: 'min' | 'max') => (
    <input
      style={{ width: 80 }}
      placeholder={side}
      data-testid={`filter-${key}-${side}`}
      value={text[`${key}.${side}`] ?? ''}
      onChange={(e) => bound(key, side, e.target.value)}
    />
  );
  return (
    <div data-testid="filter-view" style={{ marginTop: 14 }}>
      <div className="toolbar">
        <strong>Filter trials</strong>
        <span className="muted" data-testid="filter-count">
          {formatCount(kept.length)} of {formatCount(data.rows.length)} trials match
        </span>
      </div>
      <div className="toolbar">
        <label>
          {data.metric} {box('__value', 'min')}–{box('__value', 'max')}
        </label>
        {data.axes.map((a) =>
          a.type === 'categorical' ? (
            <label key={a.name}>
              {a.name}
              <select
                multiple
                size={Math.min(3, (a.choices ?? []).length)}
                data-testid={`filter-${a.name}-choices`}
                value={f.choices[a.name] ?? []}
                onChange={(e) => {
                  const picked = Array.from(e.target.selectedOptions, (o) => o.value);
                  setF((prev) => ({ ...prev, choices: { ...prev.choices, [a.name]: picked } }));
                }}
              >
                {(a.choices ?? []).map((c) => (
                  <option key={String(c)} value={String(c)}>
                    {String(c)}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label key={a.name}>
              {a.name} {box(a.name, 'min')}–{box(a.name, 'max')}
            </label>
          ),
        )}
      </div>
      <div className="table-wrap">
        <table className="grid" data-testid="filter-table">
          <thead>
            <tr>
              <th className="num">#</th>
              <th className="num">{data.metric}</th>
              {data.axes.map((a) => (
                <th key={a.name} className="num">
                  {a.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {kept.slice(0, FILTER_ROWS_SHOWN).map((r) => (
              <tr key={r.number} data-testid="filter-row">
                <td className="num">{r.number}</td>
                <td className="num">{formatValue(r.value)}</td>
                {data.axes.map((a) => (
                  <td key={a.name} className="num mono">
                    {formatParam(r.params[a.name] as never)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {kept.length > FILTER_ROWS_SHOWN && <div className="muted">best {FILTER_ROWS_SHOWN} shown</div>}
      </div>
    </div>
  );
}
