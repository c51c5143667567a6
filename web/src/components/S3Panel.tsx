'use client';

import { useMemo, useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { errorBarRenderer, type EChartsCoreOption } from '../lib/echarts';
import { useTRPC } from '../lib/trpc';
import { errorMessage, isUnauthorized } from '../lib/errors';
import { formatCount, formatValue } from '../lib/format';
import { useRefreshOn } from '../lib/use-refresh';
import { Chart } from './Chart';
import { ScheduleView } from './ScheduleView';

const BLUE = '#2f5bd3', RED = '#c53030';

type View = NonNullable<ReturnType<typeof useS3View>['data']>;

function useS3View(studyId: string, version: string) {
  const trpc = useTRPC();
  const input = { studyId };
  useRefreshOn(version, trpc.studies.s3.queryKey(input));
  return useQuery(trpc.studies.s3.queryOptions(input, { placeholderData: keepPreviousData }));
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * An `s3` study: live stage progress per NFE group, the metric-vs-NFE Pareto chart (best tuned
 * baseline and best searched schedule; on the holdout seeds once certified, else on the search
 * seeds), the per-NFE results table with the paired improvement, the predictor's held-out rank
 * correlation per stage, and the winning schedule drawn step by step.
 */
export function S3Panel({ studyId, version, metric, trialsPerGroup }: { studyId: string; version: string; metric: string; trialsPerGroup: number }) {
  const query = useS3View(studyId, version);
  const [logY, setLogY] = useState(true);
  const view = query.data;
  const option = useMemo(() => (view ? paretoOption(view, metric, logY) : null), [view, metric, logY]);
  const [shown, setShown] = useState<number | null>(null);
  const winner = view?.report?.find((r) => r.nfe === shown) ?? null;

  if (query.error && !isUnauthorized(query.error)) return <div className="panel"><div className="banner-error">{errorMessage(query.error)}</div></div>;
  if (!view) return null;
  const lastStage = (nfe: number) => view.stages.filter((s) => s.nfe === nfe && s.stage >= 0 && !s.arm).sort((a, b) => b.stage - a.stage)[0];
  const winnerSchedule = view.winners.find((w) => w.nfe === shown)?.searched;
  const winnerPreset = view.winners.find((w) => w.nfe === shown)?.baselinePreset ?? null;

  return (
    <>
      <div className="panel" data-testid="s3-panel">
        <div className="panel-head">
          <h2>S^3 search</h2>
          <span className="muted">
            {view.model ? `model: ${view.model.noiseSchedule}, dim ${formatCount(view.model.dim)}` : 'describing the model…'}
            {view.report ? ' · certified on holdout seeds' : ''}
          </span>
          <span style={{ flex: 1 }} />
          <label>
            <input type="checkbox" checked={logY} onChange={(e) => setLogY(e.target.checked)} /> log y
          </label>
        </div>
        <table className="table" data-testid="s3-progress">
          <thead>
            <tr><th>NFE</th><th>baselines</th><th>search</th><th>stage</th><th>best baseline (search seeds)</th><th>best searched (search seeds)</th><th>predictor ρ (held out)</th>{view.groups.some((g) => g.searchOff) && <th>without predictor</th>}</tr>
          </thead>
          <tbody>
            {view.groups.map((g) => {
              const st = lastStage(g.nfe);
              const b = g.baselines.best, s = g.search.best;
              return (
                <tr key={g.nfe}>
                  <td>{g.nfe}</td>
                  <td>{formatCount(g.baselines.completed)}/{formatCount(g.baselines.total)}</td>
                  <td>{formatCount(g.search.completed)}/{formatCount(trialsPerGroup)}</td>
                  <td>{st ? st.stage + 1 : '—'}</td>
                  <td title={b?.label ?? undefined}>{b ? `${formatValue(b.value)} · ${b.label ?? `#${b.trial}`}` : '—'}</td>
                  <td>{s ? `${formatValue(s.value)} (#${s.trial})${b ? ` · ${pct(1 - s.value / b.value)} lower` : ''}` : '—'}</td>
                  <td>{st?.predictor?.heldOutSpearman != null ? `${st.predictor.heldOutSpearman.toFixed(2)} (n=${st.predictor.trainSize})` : '—'}</td>
                  {g.searchOff && <td>{g.searchOff.best ? `${formatValue(g.searchOff.best.value)} (${formatCount(g.searchOff.completed)} evaluated)` : '—'}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
        {option && <Chart option={option} testId="s3-pareto" replace={['series', 'xAxis', 'yAxis', 'legend']} attrs={{ 'data-groups': view.groups.length, 'data-certified': view.report ? 1 : 0 }} />}
      </div>
      {view.report && (
        <div className="panel" data-testid="s3-report">
          <div className="panel-head">
            <h2>Holdout report</h2>
            <span className="muted">{formatCount(view.report[0]?.seeds ?? 0)} fresh seeds, paired (common random numbers), {Math.round(100 * (view.report[0]?.confidence ?? 0.95))}% intervals</span>
          </div>
          <table className="table">
            <thead>
              <tr><th>NFE</th><th>best tuned baseline</th><th>baseline</th><th>searched</th><th>improvement</th><th>difference</th><th>evaluations</th><th>vs. no predictor</th><th /></tr>
            </thead>
            <tbody>
              {view.report.map((r) => (
                <tr key={r.nfe}>
                  <td>{r.nfe}</td>
                  <td>{r.baseline.label} <span className="muted">(of {r.baselinesCompared})</span></td>
                  <td>{formatValue(r.baseline.holdout)}</td>
                  <td>{formatValue(r.searched.holdout)}</td>
                  <td><strong>{pct(r.improvement.value)}</strong> [{pct(r.improvement.ciLow)}, {pct(r.improvement.ciHigh)}]</td>
                  <td>{formatValue(r.difference.mean, 3)} [{formatValue(r.difference.ciLow, 3)}, {formatValue(r.difference.ciHigh, 3)}]</td>
                  <td>{formatCount(r.evaluations)}</td>
                  <td>{r.ablation ? `${pct(r.ablation.predictorGain.value)} [${pct(r.ablation.predictorGain.ciLow)}, ${pct(r.ablation.predictorGain.ciHigh)}]` : '—'}</td>
                  <td><button type="button" className="link" onClick={() => setShown(shown === r.nfe ? null : r.nfe)}>{shown === r.nfe ? 'hide schedule' : 'schedule'}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          {winner && winnerSchedule != null && <ScheduleView schedule={winnerSchedule} title={`searched schedule, NFE ${winner.nfe} (trial #${winner.searched.trial})`} />}
          {winner && winnerPreset && (
            // dpm-solver-v3 / dc-solver run their own solver (per-model statistics): no USF schedule to draw.
            <div className="muted" data-testid="s3-preset-baseline" style={{ marginTop: 8 }}>
              baseline {winner.baseline.label} (trial #{winner.baseline.trial}) is a statistics preset, not a USF schedule: as an evaluate candidate <code>{JSON.stringify(winnerPreset)}</code>
            </div>
          )}
        </div>
      )}
    </>
  );
}

function paretoOption(view: View, metric: string, logY: boolean): EChartsCoreOption {
  const certified = view.report !== null;
  type Row = [number, number, number, number, string];
  const baseline: Row[] = [], searched: Row[] = [];
  if (certified) {
    // Holdout: the report's point values; the trial intervals are not in the view, so the paired CI of the difference is in the table.
    for (const r of view.report!) {
      if (r.baseline.holdout !== null) baseline.push([r.nfe, r.baseline.holdout, r.baseline.holdout, r.baseline.holdout, r.baseline.label]);
      if (r.searched.holdout !== null) searched.push([r.nfe, r.searched.holdout, r.searched.holdout, r.searched.holdout, `trial #${r.searched.trial}`]);
    }
  } else {
    for (const g of view.groups) {
      const b = g.baselines.best, s = g.search.best;
      if (b) baseline.push([g.nfe, b.value, b.ciLow ?? b.value, b.ciHigh ?? b.value, b.label ?? `#${b.trial}`]);
      if (s) searched.push([g.nfe, s.value, s.ciLow ?? s.value, s.ciHigh ?? s.value, `trial #${s.trial}`]);
    }
  }
  const line = (name: string, data: Row[], color: string) => [
    { name, type: 'line', data, encode: { x: 0, y: 1 }, symbol: 'circle', symbolSize: 7, lineStyle: { width: 2, color }, itemStyle: { color }, z: 3 },
    { name, type: 'custom', data, encode: { x: 0, y: [2, 3] }, z: 2, silent: true, tooltip: { show: false }, renderItem: errorBarRenderer({ x: 0, lo: 2, hi: 3 }, { stroke: color, lineWidth: 1.2 }, 4) },
  ];
  const where = certified ? 'holdout seeds' : 'search seeds';
  return {
    animation: false,
    grid: { left: 70, right: 24, top: 40, bottom: 44 },
    legend: { top: 0, right: 0, data: [`best tuned baseline (${where})`, `searched (${where})`] },
    tooltip: {
      trigger: 'item',
      formatter: (p: { seriesName: string; value: Row }) => `${p.seriesName}<br/>NFE ${p.value[0]}: ${formatValue(p.value[1])}${p.value[2] !== p.value[1] ? ` [${formatValue(p.value[2], 4)}, ${formatValue(p.value[3], 4)}]` : ''}<br/>${p.value[4]}`,
    },
    xAxis: { type: 'value', name: 'NFE', nameLocation: 'middle', nameGap: 26, minInterval: 1, scale: true },
    yAxis: logY ? { type: 'log', name: `${metric} (log)` } : { type: 'value', name: metric, scale: true },
    series: [...line(`best tuned baseline (${where})`, baseline, BLUE), ...line(`searched (${where})`, searched, RED)],
  };
}
