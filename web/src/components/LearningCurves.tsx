'use client';

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { EChartsCoreOption } from '../lib/echarts';
import { useTRPC, type RouterOutputs } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatValue } from '../lib/format';
import { Chart } from './Chart';

type CurvesOut = RouterOutputs['studies']['curves'];

const LIVE_MS = 2000;
/** Line colours by trial status: pruned runs are stopped early and drawn in orange, dashed. */
const COLOURS: Record<string, string> = { completed: '#3b6fd1', running: '#1f8a4c', pending: '#1f8a4c', pruned: '#d98a1c', failed: '#a52222', cancelled: '#7a6a8c' };

/**
 * Learning curves (issue #14, item 6): the intermediate values command programs print per step,
 * one line per trial, pruned runs distinguishable (orange, dashed, ending where the pruner
 * stopped them). The server thins each curve; the study page shows every trial's, the trial
 * drawer just one. Renders nothing for a study without curves (no pruner).
 */
export function LearningCurves({ studyId, number, live, title = 'Learning curves' }: { studyId: string; number?: number; live: boolean; title?: string }) {
  const trpc = useTRPC();
  const query = useQuery(
    trpc.studies.curves.queryOptions(
      { studyId, ...(number !== undefined ? { number } : {}), maxPoints: 200, maxTrials: number !== undefined ? 1 : 200 },
      { refetchInterval: live ? LIVE_MS : false },
    ),
  );
  const data = query.data;
  if (query.error && !isUnauthorized(query.error)) return <div className="banner-error">{errorMessage(query.error)}</div>;
  if (!data || data.curves.length === 0) return null;
  const counts = data.curves.reduce<Record<string, number>>((m, c) => ({ ...m, [c.status]: (m[c.status] ?? 0) + 1 }), {});
  const body = <CurvesChart data={data} />;
  if (number !== undefined) return <div data-testid="trial-curve">{body}</div>;
  return (
    <div className="panel" data-testid="learning-curves">
      <h2>{title}</h2>
      <div className="muted" style={{ marginBottom: 4 }}>
        {Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(' · ')}
        {data.truncated && ` (the first ${data.curves.length} trials)`}
      </div>
      {body}
    </div>
  );
}

function CurvesChart({ data }: { data: CurvesOut }) {
  const option = useMemo<EChartsCoreOption>(() => ({
    animation: false,
    grid: { left: 64, right: 20, top: 20, bottom: 44 },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; value: [number, number] }) => `${p.seriesName}<br/>step ${p.value[0]}: ${formatValue(p.value[1])}`,
    },
    xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 26, minInterval: 1 },
    yAxis: { type: 'value', name: `${data.metric} (${data.direction === 'minimize' ? '↓' : '↑'})`, scale: true },
    series: data.curves.map((c) => ({
      id: `trial-${c.number}`,
      name: `trial #${c.number} (${c.status})`,
      type: 'line',
      data: c.points.map((p) => [p.step, p.value]),
      showSymbol: c.points.length === 1,
      symbolSize: 4,
      // The last point of a pruned run marks where it was stopped.
      markPoint: c.status === 'pruned' && c.points.length > 0
        ? { symbol: 'circle', symbolSize: 6, label: { show: false }, data: [{ coord: [c.points.at(-1)!.step, c.points.at(-1)!.value] }] }
        : undefined,
      lineStyle: { width: 1.2, color: COLOURS[c.status] ?? '#888', type: c.status === 'pruned' ? 'dashed' : 'solid', opacity: 0.8 },
      itemStyle: { color: COLOURS[c.status] ?? '#888' },
      emphasis: { focus: 'series' },
    })),
  }), [data]);
  return <Chart option={option} testId="curves-chart" attrs={{ 'data-curves': data.curves.length, 'data-pruned': data.curves.filter((c) => c.status === 'pruned').length }} />;
}
