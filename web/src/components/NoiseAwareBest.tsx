'use client';

import { useMemo } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { bestByConfidenceBound, bestByPosteriorMean, type NoiseAwareBest } from '@stepwise/core';
import { useTRPC, type StudyDetailOut } from '../lib/trpc';
import { formatValue } from '../lib/format';
import { axesToSpace } from '../lib/insights';
import { useRefreshOn } from '../lib/use-refresh';
import { useTrialPoints } from '../lib/use-trial-points';
import { useSettled } from '../lib/use-settled';

/** Most best-first trials the confidence-bound rule compares (the pessimistic best is among them). */
const BOUND_CANDIDATES = 500;

const RULE_LABEL: Record<NoiseAwareBest['rule'], string> = {
  'confidence-bound': 'best pessimistic 95% bound',
  'posterior-mean': 'best GP posterior mean',
};

/**
 * The header's noise-aware best, beside the raw one (the luckiest draw under noise): for estimated
 * metrics the trial with the best pessimistic confidence bound, for noisy function objectives and
 * bayesopt the best GP posterior mean at an observed point, each with its 95% interval and the
 * rule named. Nothing for a noise-free objective, whose raw best is the best.
 */
export function NoiseAwareBestStat({ study, version, noiseStd }: { study: StudyDetailOut; version: string; noiseStd: number | null }) {
  const estimated = study.bestTrial != null && study.bestTrial.ciLow != null && study.bestTrial.ciHigh != null;
  const posterior = !estimated && (study.kind === 'bayesopt' || (noiseStd !== null && noiseStd > 0));
  const trpc = useTRPC();
  const boundInput = {
    studyId: study.id,
    limit: BOUND_CANDIDATES,
    sort: 'value' as const,
    order: study.direction === 'minimize' ? ('asc' as const) : ('desc' as const),
    status: 'completed' as const,
  };
  useRefreshOn(version, trpc.trials.list.queryKey(boundInput));
  const bound = useQuery(trpc.trials.list.queryOptions(boundInput, { enabled: estimated, placeholderData: keepPreviousData }));
  const points = useTrialPoints(study.id, version, posterior);
  const live = study.status === 'queued' || study.status === 'running' || study.status === 'paused';
  const settled = useSettled(points.data, live);

  const best = useMemo(() => {
    if (estimated && bound.data) return bestByConfidenceBound(bound.data.items.filter((t) => t.value !== null).map((t) => ({ number: t.number, value: t.value!, ciLow: t.ciLow, ciHigh: t.ciHigh })), study.direction);
    if (posterior && settled && settled.rows.length >= 3) {
      try {
        return bestByPosteriorMean(
          axesToSpace(settled.axes),
          settled.rows.map((r) => ({ number: r.number, params: r.params as never, value: r.value, stderr: null })),
          study.direction,
          { noiseStd: noiseStd ?? undefined, state: study.kind === 'bayesopt' ? study.strategy : undefined },
        );
      } catch {
        return null;
      }
    }
    return null;
  }, [estimated, posterior, bound.data, settled, study.direction, study.kind, study.strategy, noiseStd]);

  if (!estimated && !posterior) return null;
  return (
    <div className="stat" data-testid="study-noise-aware-best" data-rule={best?.rule ?? ''}>
      <div className="k" title="the raw best under noise is mostly the luckiest draw; this rule discounts luck">
        noise-aware best ({best ? RULE_LABEL[best.rule] : estimated ? RULE_LABEL['confidence-bound'] : RULE_LABEL['posterior-mean']})
      </div>
      <div className="v">
        {best ? (
          <>
            <span data-testid="study-noise-aware-value">{formatValue(best.estimate)}</span>
            <span className="ci" data-testid="study-noise-aware-ci">
              [{formatValue(best.low, 4)}, {formatValue(best.high, 4)}]
            </span>
            <span className="muted"> · trial #{best.trialNumber} (observed {formatValue(best.observed, 4)})</span>
          </>
        ) : (
          <span className="muted">needs 3 completed trials</span>
        )}
      </div>
    </div>
  );
}
