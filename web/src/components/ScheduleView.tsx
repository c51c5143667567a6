'use client';

import { useMemo } from 'react';
import { planUsf, ZSolverSchedule, type TSolverSchedule } from '@stepwise/core';

/**
 * A USF solver schedule drawn on the timestep axis (logSNR, left = noise, right = data): one mark
 * per step at its start time, labelled with its prediction type and Taylor order; a ring where
 * the step corrects (UniC), small ticks at its intermediate points, "A" for the analytic first
 * step. The full JSON is below for copying.
 */
export function ScheduleView({ schedule, title }: { schedule: unknown; title: string }) {
  const parsed = useMemo(() => {
    const r = ZSolverSchedule.safeParse(schedule);
    if (!r.success) return { error: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } as const;
    try {
      return { schedule: r.data, plan: planUsf(r.data) } as const;
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) } as const;
    }
  }, [schedule]);
  if ('error' in parsed) return <div className="banner-error">schedule cannot be drawn: {parsed.error}</div>;
  const { plan } = parsed;
  const s: TSolverSchedule = parsed.schedule;
  const W = 760, H = 130, L = 30, R = 20;
  const lo = plan.lambdas[0], hi = plan.lambdas[plan.lambdas.length - 1];
  const X = (lambda: number) => L + ((lambda - lo) / (hi - lo || 1)) * (W - L - R);
  const axisY = 80;
  return (
    <div data-testid="schedule-view" style={{ marginTop: 12 }}>
      <div className="muted" style={{ marginBottom: 4 }}>{title} · {plan.nfe} NFE · {s.steps.length} steps{s.analyticFirstStep ? ' · analytic first step' : ''}</div>
      <svg width={W} height={H} role="img" aria-label={`${title}: ${s.steps.length} steps`}>
        <line x1={L} x2={W - R} y1={axisY} y2={axisY} stroke="#777" />
        <text x={L} y={H - 8} fontSize={11} fill="#555">t = {plan.timesteps[0].toPrecision(3)} (noise)</text>
        <text x={W - R} y={H - 8} fontSize={11} fill="#555" textAnchor="end">t = {plan.timesteps[plan.timesteps.length - 1].toPrecision(3)} (data) · x: logSNR</text>
        <line x1={X(hi)} x2={X(hi)} y1={axisY - 6} y2={axisY + 6} stroke="#333" strokeWidth={2} />
        {s.steps.map((step, i) => {
          const x = X(plan.lambdas[i]);
          const h = plan.lambdas[i + 1] - plan.lambdas[i];
          const color = step.prediction === 'data' ? '#2f5bd3' : '#d9822b';
          return (
            <g key={i} data-step={i}>
              <line x1={x} x2={x} y1={axisY - 14} y2={axisY + 6} stroke={color} strokeWidth={2} />
              <text x={x} y={axisY - 30} fontSize={11} textAnchor="middle" fill={color}>
                {step.prediction === 'data' ? 'x0' : 'ε'}{step.order}
              </text>
              {step.corrector && <circle cx={x} cy={axisY - 20} r={3.5} fill="none" stroke={color} />}
              {i === 0 && s.analyticFirstStep && <text x={x} y={axisY - 44} fontSize={11} textAnchor="middle" fill="#1f8a4c">A</text>}
              {step.intermediate.map((p, j) => (
                <line key={j} x1={X(plan.lambdas[i] + p.r * h)} x2={X(plan.lambdas[i] + p.r * h)} y1={axisY - 6} y2={axisY + 4} stroke={color} strokeWidth={1} />
              ))}
              {step.relaxation !== 'none' && <text x={x} y={axisY + 20} fontSize={9} textAnchor="middle" fill="#777">{step.relaxation}</text>}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>schedule JSON</summary>
        <pre style={{ maxHeight: 240, overflow: 'auto' }}>{JSON.stringify(s, null, 2)}</pre>
      </details>
    </div>
  );
}
