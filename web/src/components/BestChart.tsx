'use client';

import { useMemo, useState } from 'react';
import { errorBarRenderer, type EChartsCoreOption } from '../lib/echarts';
import { bestChartScale, niceRange, rangeWithOptimum } from '../lib/best-chart';
import { formatValue } from '../lib/format';
import { Chart } from './Chart';

export interface BestPoint {
  trialNumber: number;
  value: number;
  best: number;
  ciLow?: number | null;
  ciHigh?: number | null;
}

const LARGE = 2000;
const Z95 = 1.959963984540054;

/**
 * Best-so-far against trial number (Optuna's optimization history): every value as a dot (with
 * its confidence interval when the objective is noisy: the trial's own interval for estimated
 * metrics, value ± 1.96 noiseStd for a function with known noise), the running best as a step
 * line, the known optimum dashed and always inside the y range. Log-y on request.
 */
export function BestChart({
  points,
  metric,
  direction,
  optimum,
  noiseStd,
}: {
  points: BestPoint[];
  metric: string;
  direction: 'minimize' | 'maximize';
  optimum?: number | null;
  /** The objective's known evaluation noise (function objectives): error bars of ± 1.96 σ. */
  noiseStd?: number | null;
}) {
  const [logY, setLogY] = useState(false);
  const scale = useMemo(() => bestChartScale(points.map((p) => p.value), optimum, logY), [points, optimum, logY]);
  const option = useMemo<EChartsCoreOption>(() => {
    // The service may thin the curve (it keeps every improvement), so the x axis is the trial
    // number, as in Optuna's optimization history, and the running best is taken in that order.
    const sorted = [...points].sort((a, b) => a.trialNumber - b.trialNumber);
    const large = sorted.length > LARGE;
    const y = scale.map;
    const values = sorted.map((p) => [p.trialNumber, y(p.value)]);
    let running: number | null = null;
    const best = sorted.map((p) => {
      running = running === null ? p.value : direction === 'minimize' ? Math.min(running, p.value) : Math.max(running, p.value);
      return [p.trialNumber, y(running)];
    });
    const sigma = noiseStd != null && noiseStd > 0 ? noiseStd : null;
    const interval = (p: BestPoint): [number, number] | null =>
      p.ciLow != null && p.ciHigh != null ? [p.ciLow, p.ciHigh] : sigma !== null ? [p.value - Z95 * sigma, p.value + Z95 * sigma] : null;
    const withCi = sorted.some((p) => interval(p) !== null);
    // On a gap-to-optimum axis an interval straddling the optimum has no lower end: draw it from the floor.
    const bars = withCi && !large ? sorted.flatMap((p) => {
      const ci = interval(p);
      if (!ci) return [];
      const ends = [y(ci[0]), y(ci[1])];
      return [[p.trialNumber, Math.min(...ends), Math.max(...ends)]];
    }) : [];
    const optY = optimum != null ? y(optimum) : null;
    const range = scale.log ? null : rangeWithOptimum([...values.map((v) => v[1]), ...bars.flatMap((b) => [b[1], b[2]])], optY);
    const series: unknown[] = [
      {
        id: 'values',
        name: metric,
        type: 'scatter',
        data: values,
        symbolSize: large ? 2 : 5,
        large,
        itemStyle: { color: '#8da2d6', opacity: 0.8 },
        z: 2,
      },
      {
        id: 'best',
        name: `best ${metric}`,
        type: 'line',
        step: 'end',
        data: best,
        showSymbol: false,
        sampling: large ? 'lttb' : undefined,
        lineStyle: { width: 2, color: '#1f8a4c' },
        itemStyle: { color: '#1f8a4c' },
        z: 3,
        markLine:
          optY != null && scale.label === 'value'
            ? {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#c53030' },
                label: { formatter: `optimum ${formatValue(optimum!)}`, position: 'insideEndTop' },
                data: [{ yAxis: optY }],
              }
            : undefined,
      },
    ];
    if (bars.length > 0) {
      series.push({
        id: 'ci',
        name: '95% CI',
        type: 'custom',
        data: bars,
        z: 1,
        itemStyle: { color: '#8da2d6' },
        encode: { x: 0, y: [1, 2] },
        renderItem: errorBarRenderer({ x: 0, lo: 1, hi: 2 }, { stroke: '#8da2d6', lineWidth: 1 }, 3),
      });
    }
    const ends = range ? niceRange(range.min, range.max) : null;
    const axisName = scale.label === 'gap to optimum' ? `|${metric} − optimum| (log)` : `${metric} (${direction === 'minimize' ? '↓' : '↑'})${scale.log ? ' (log)' : ''}`;
    return {
      // Updates move the series in place (stable ids); only the first draw animates.
      animation: !large,
      animationDurationUpdate: 200,
      grid: { left: 64, right: 44, top: 36, bottom: 56 },
      legend: { top: 0, right: 0 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'line' },
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)),
      },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26, min: 0, minInterval: 1 },
      yAxis: scale.log
        ? { id: 'y', type: 'log', name: axisName }
        : { id: 'y', type: 'value', name: axisName, scale: true, ...(ends ?? {}) },
      // A y slider too: early trials of a wide domain otherwise flatten the best-so-far line.
      dataZoom: [
        { type: 'inside', xAxisIndex: 0 },
        { type: 'slider', xAxisIndex: 0, height: 14, bottom: 6 },
        { type: 'slider', yAxisIndex: 0, width: 12, right: 8, filterMode: 'none' },
      ],
      series,
    };
  }, [points, metric, direction, optimum, noiseStd, scale]);

  return (
    <>
      <div className="toolbar" style={{ marginBottom: 4 }}>
        <label>
          <input type="checkbox" checked={logY} data-testid="best-log-y" onChange={(e) => setLogY(e.target.checked)} /> log y
        </label>
        {scale.label === 'gap to optimum' && <span className="muted">log-y of negative values: the gap to the known optimum</span>}
        {scale.note && <span className="muted">{scale.note}</span>}
      </div>
      <Chart option={option} testId="best-chart" replace={['series', 'yAxis']} attrs={{ 'data-points': points.length, 'data-log-y': scale.log ? 1 : 0 }} />
    </>
  );
}
