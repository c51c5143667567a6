import { proxyActivities } from '@temporalio/workflow';
import {
  THRESHOLDOUT_BLOCK_MAX, mergeAllStats, resolveSamplerObjective, tInterval,
  type RunningStats, type TParams, type TSamplerObjective, type TStudyConfig, type ThresholdoutConfig,
} from '@stepwise/core';
import type { DbActivities, ThresholdoutOutcome } from '../activities/db-activities';
import { computeActivities } from './compute';

/**
 * Holdout discipline for grid, random and bayesopt studies with a sampler objective (workflow
 * code). Search-time trials estimate on seeds 0.. (below holdout.start, enforced by the config);
 * the holdout seeds [start, start + size) are used only here, and nothing evaluated here is
 * recorded as a trial block:
 *  - `query`: Thresholdout on the first min(size, 256) holdout seeds, for each new best trial;
 *  - `finalNumbers`: the best trial (by its search estimate) re-evaluated on the whole holdout,
 *    stored as `strategyState.final`.
 */

export interface HoldoutTrial {
  number: number;
  params: TParams;
  /** The search-time estimate. */
  value: number;
}

const db = proxyActivities<DbActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 },
});

export function createHoldout(ctx: { studyId: string; config: TStudyConfig; computeQueue?: string }) {
  const { studyId, config } = ctx;
  const holdout = config.holdout;
  const objective = config.objective;
  const enabled = config.kind !== 'evaluate' && objective.type === 'sampler' && holdout !== undefined;
  const compute = computeActivities(ctx.computeQueue);

  /** Stats of `params` on seeds [start, end), in blocks of estimation.blockSize, `parallel` blocks at a time. */
  async function evaluateRange(params: TParams, start: number, end: number): Promise<{ stats: RunningStats; objective: TSamplerObjective }> {
    if (objective.type !== 'sampler') throw new Error('holdout: not a sampler objective');
    const resolved = resolveSamplerObjective(objective, params);
    const block = objective.estimation.blockSize;
    const ranges: Array<[number, number]> = [];
    for (let s = start; s < end; s += block) ranges.push([s, Math.min(end, s + block)]);
    const stats: RunningStats[] = [];
    const width = Math.max(1, config.budget.parallel);
    for (let i = 0; i < ranges.length; i += width) {
      const outs = await Promise.all(
        ranges.slice(i, i + width).map(([s, e]) => compute.evaluateSamplerBlock({ objective: resolved, seed: config.seed, start: s, end: e })),
      );
      stats.push(...outs.map((o) => o.stats));
    }
    return { stats: mergeAllStats(stats), objective: resolved };
  }

  const thresholdout: ThresholdoutConfig | null =
    enabled && holdout!.thresholdout
      ? {
          threshold: holdout!.thresholdout.threshold,
          sigma: holdout!.thresholdout.sigma ?? holdout!.thresholdout.threshold / 4,
          budget: holdout!.thresholdout.budget,
          seed: config.seed,
        }
      : null;

  return {
    enabled,
    /** Whether the search consults the holdout through Thresholdout. */
    guarded: thresholdout !== null,

    /** Thresholdout query for a new best trial: its search estimate against the fixed holdout block. */
    async query(trial: HoldoutTrial): Promise<ThresholdoutOutcome> {
      if (!thresholdout || !holdout) throw new Error('holdout: thresholdout is not configured');
      const end = holdout.start + Math.min(holdout.size, THRESHOLDOUT_BLOCK_MAX);
      const { stats } = await evaluateRange(trial.params, holdout.start, end);
      return db.thresholdoutQuery({ studyId, config: thresholdout, trialNumber: trial.number, train: trial.value, holdout: stats.mean });
    },

    /** Re-evaluates the best search trial on the whole holdout; stores `strategyState.final`. */
    async finalNumbers(): Promise<void> {
      if (!enabled || !holdout || objective.type !== 'sampler') return;
      const best = await db.bestSearchTrial({ studyId, direction: objective.direction });
      if (!best) return; // no completed trial: nothing to report
      const { stats } = await evaluateRange(best.params, holdout.start, holdout.start + holdout.size);
      const e = tInterval(stats, objective.estimation.confidence);
      await db.saveFinalNumbers({
        studyId,
        final: {
          trialNumber: best.number, params: best.params, holdout: { start: holdout.start, size: holdout.size },
          mean: e.mean, stderr: e.stderr, ciLow: e.ciLow, ciHigh: e.ciHigh, n: e.n, confidence: e.confidence, searchMean: best.value,
        },
      });
    },
  };
}
