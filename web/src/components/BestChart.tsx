'use client';

import { useMemo } from 'react';
import { errorBarRenderer, type EChartsCoreOption } from '../lib/echarts';
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

/**
 * Best-so-far against trial number: every value as a dot (with its confidence interval
 * when the objective is noisy), the running best as a step line, the known optimum dashed.
 */
export function BestChart({ points, metric, direction, optimum }: { points: BestPoint[]; metric: string; direction: 'minimize' | 'maximize'; optimum?: number | null }) {
  const option = useMemo<EChartsCoreOption>(() => {
    // The service may thin the curve (it keeps every improvement), so the x axis is the trial
    // number, as in Optuna's optimization history, and the running best is taken in that order.
    const sorted = [...points].sort((a, b) => a.trialNumber - b.trialNumber);
    const large = sorted.length > LARGE;
    const values = sorted.map((p) => [p.trialNumber, p.value]);
    let running: number | null = null;
    const best = sorted.map((p) => {
      running = running === null ? p.value : direction === 'minimize' ? Math.min(running, p.value) : Math.max(running, p.value);
      return [p.trialNumber, running];
    });
    const withCi = sorted.some((p) => p.ciLow != null && p.ciHigh != null);
    const bars = withCi && !large ? sorted.map((p) => [p.trialNumber, p.ciLow ?? p.value, p.ciHigh ?? p.value]) : [];
    const series: unknown[] = [
      {
        name: metric,
        type: 'scatter',
        data: values,
        symbolSize: large ? 2 : 5,
        large,
        itemStyle: { color: '#8da2d6', opacity: 0.8 },
        z: 2,
      },
      {
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
          optimum != null
            ? {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#c53030' },
                label: { formatter: `optimum ${formatValue(optimum)}`, position: 'insideEndTop' },
                data: [{ yAxis: optimum }],
              }
            : undefined,
      },
    ];
    if (bars.length > 0) {
      series.push({
        name: '95% CI',
        type: 'custom',
        data: bars,
        z: 1,
        itemStyle: { color: '#8da2d6' },
        encode: { x: 0, y: [1, 2] },
        renderItem: errorBarRenderer({ x: 0, lo: 1, hi: 2 }, { stroke: '#8da2d6', lineWidth: 1 }, 3),
      });
    }
    return {
      animation: !large,
      grid: { left: 64, right: 44, top: 36, bottom: 56 },
      legend: { top: 0, right: 0 },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'line' },
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatValue(v) : String(v)),
      },
      xAxis: { type: 'value', name: 'trial', nameLocation: 'middle', nameGap: 26, min: 0, minInterval: 1 },
      yAxis: { type: 'value', name: `${metric} (${direction === 'minimize' ? '↓' : '↑'})`, scale: true },
      // A y slider too: early trials of a wide domain otherwise flatten the best-so-far line.
      dataZoom: [
        { type: 'inside', xAxisIndex: 0 },
        { type: 'slider', xAxisIndex: 0, height: 14, bottom: 6 },
        { type: 'slider', yAxisIndex: 0, width: 12, right: 8, filterMode: 'none' },
      ],
      series,
    };
  }, [points, metric, direction, optimum]);

  return <Chart option={option} testId="best-chart" />;
}
