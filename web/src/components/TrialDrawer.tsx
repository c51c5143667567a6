'use client';

import { useEffect, useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { EChartsCoreOption } from '../lib/echarts';
import { useTRPC, type TrialBlocksOut, type TrialRowOut } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatParam, formatValue } from '../lib/format';
import { bandSegments, halfWidth, proposalLabel, proposalTitle } from '../lib/insights';
import { StatusBadge } from './StatusBadge';
import { Chart } from './Chart';
import { LearningCurves } from './LearningCurves';

const LIVE_MS = 1000;
const live = (status: string | undefined) => status === 'running' || status === 'pending';

/**
 * One trial in a side drawer: its parameters, its estimate and, for Monte Carlo objectives, the
 * interval narrowing block by block (polled while the trial runs).
 */
export function TrialDrawer({ trial, onClose, conditions = {}, studyId }: { trial: TrialRowOut; onClose: () => void; conditions?: Record<string, string>; studyId?: string }) {
  const trpc = useTRPC();
  const query = useQuery(
    trpc.trials.blocks.queryOptions(
      { trialId: trial.id },
      { refetchInterval: (q) => (live(q.state.data?.status ?? trial.status) ? LIVE_MS : false) },
    ),
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const data = query.data;
  const status = data?.status ?? trial.status;
  const value = data ? data.value : trial.value;
  const half = data ? halfWidth(data.ciLow, data.ciHigh) : halfWidth(trial.ciLow, trial.ciHigh);
  const n = data ? data.n : trial.n;
  const lastBlock = data?.blocks.at(-1);

  return (
    <aside className="drawer" data-testid="trial-drawer" data-trial={trial.number}>
      <div className="page-head" style={{ marginBottom: 4 }}>
        <h2 style={{ margin: 0 }}>Trial #{trial.number}</h2>
        <StatusBadge status={status} />
        <span className="spacer" />
        <button type="button" onClick={onClose} data-testid="trial-drawer-close">
          Close
        </button>
      </div>
      <div className="stats">
        <div className="stat">
          <div className="k">value</div>
          <div className="v" data-testid="drawer-value">
            {value !== null ? formatValue(value) : lastBlock ? `${formatValue(lastBlock.mean)} (so far)` : '—'}
            {(half ?? lastBlock?.halfWidth ?? null) !== null && <span className="ci">± {formatValue(half ?? lastBlock!.halfWidth!, 3)}</span>}
          </div>
        </div>
        <div className="stat">
          <div className="k">n</div>
          <div className="v">{n ?? lastBlock?.n ?? '—'}</div>
        </div>
        {data && data.blocks.length > 0 && (
          <div className="stat">
            <div className="k">blocks</div>
            <div className="v">{data.blocks.length}</div>
          </div>
        )}
        {trial.proposal && (
          <div className="stat">
            <div className="k">proposal</div>
            <div className="v mono" title={proposalTitle(trial.proposal)}>
              {proposalLabel(trial.proposal)}
            </div>
          </div>
        )}
      </div>
      <div className="params mono" style={{ marginBottom: 10 }}>
        {Object.entries(trial.params)
          .map(([k, v]) => `${k}=${formatParam(v)}`)
          .join('  ')}
      </div>
      {/* Conditional parameters this trial does not use: inactive, with the condition that would turn them on. */}
      {Object.entries(conditions)
        .filter(([k]) => trial.params[k] === undefined)
        .map(([k, c]) => (
          <div key={k} className="muted" data-testid="drawer-param-inactive" data-param={k} style={{ fontStyle: 'italic' }}>
            {k}: inactive (used only when {c})
          </div>
        ))}
      {trial.error && <div className="banner-error">{trial.error}</div>}
      {query.error && !isUnauthorized(query.error) && <div className="banner-error">{errorMessage(query.error)}</div>}
      {!data && !query.error && <div className="muted">Loading…</div>}
      {data && data.blocks.length === 0 && (
        <div className="muted" data-testid="blocks-empty">
          {live(data.status) ? 'No seed block has finished yet.' : 'This trial has no seed blocks (an exact objective, or it failed before the first block).'}
        </div>
      )}
      {data && data.blocks.length > 0 && <BlocksChart data={data} />}
      {/* A command trial's learning curve (its per-step values), when it printed any. */}
      {studyId && <LearningCurves studyId={studyId} number={trial.number} live={live(status)} />}
    </aside>
  );
}

/** Running mean against samples with its confidence band: how the interval narrowed. */
export function BlocksChart({ data }: { data: TrialBlocksOut }) {
  const option = useMemo<EChartsCoreOption>(() => {
    const pts = data.blocks;
    const pct = `${Math.round(data.confidence * 1000) / 10}%`;
    return {
      animation: false,
      grid: { left: 64, right: 20, top: 34, bottom: 44 },
      legend: { top: 0, right: 0 },
      tooltip: {
        trigger: 'axis',
        formatter: (items: Array<{ dataIndex: number; seriesName: string }>) => {
          const it = items.find((i) => i.seriesName === 'mean');
          if (!it) return '';
          const b = pts[it.dataIndex];
          const ci = b.ciLow !== null && b.ciHigh !== null ? `<br/>${pct} CI [${formatValue(b.ciLow)}, ${formatValue(b.ciHigh)}] (± ${formatValue(b.halfWidth, 3)})` : '';
          return `block ${b.blockIndex} · n = ${b.n}<br/>mean ${formatValue(b.mean)}${ci}<br/>block mean ${formatValue(b.blockMean)} (${b.blockN} samples)`;
        },
      },
      xAxis: { type: 'value', name: 'samples (n)', nameLocation: 'middle', nameGap: 26, min: 0, minInterval: 1 },
      yAxis: { type: 'value', name: 'estimate', scale: true },
      series: [
        {
          name: `${pct} CI`,
          type: 'custom',
          data: bandSegments(pts),
          encode: { x: [0, 3], y: [1, 2, 4, 5] },
          itemStyle: { color: '#9db4f0' },
          renderItem(_params: unknown, api: { value: (i: number) => number; coord: (p: number[]) => number[] }) {
            const a0 = api.coord([api.value(0), api.value(1)]);
            const a1 = api.coord([api.value(0), api.value(2)]);
            const b1 = api.coord([api.value(3), api.value(5)]);
            const b0 = api.coord([api.value(3), api.value(4)]);
            return { type: 'polygon', shape: { points: [a0, a1, b1, b0] }, style: { fill: '#9db4f0', opacity: 0.35 } };
          },
          z: 1,
        },
        {
          name: 'mean',
          type: 'line',
          data: pts.map((b) => [b.n, b.mean]),
          showSymbol: true,
          symbolSize: 5,
          lineStyle: { width: 2, color: '#2f5bd3' },
          itemStyle: { color: '#2f5bd3' },
          z: 3,
          markLine:
            data.value !== null
              ? { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#1f8a4c' }, label: { formatter: `final ${formatValue(data.value)}`, position: 'insideEndTop' }, data: [{ yAxis: data.value }] }
              : undefined,
        },
        {
          name: 'block mean',
          type: 'scatter',
          data: pts.map((b) => [b.n, b.blockMean]),
          symbolSize: 4,
          itemStyle: { color: '#b7791f', opacity: 0.7 },
          z: 2,
        },
      ],
    };
  }, [data]);
  return <Chart option={option} testId="blocks-chart" attrs={{ 'data-blocks': data.blocks.length, 'data-status': data.status }} />;
}
