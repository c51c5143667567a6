import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import {
  DEFAULT_COMPUTE_QUEUE, createRace, rankCandidates, raceStatus, raceUpdate, resolveSamplerObjective,
  type ComputeActivities, type EvaluationSummary, type RaceState, type RunningStats, type TSamplerObjective, type TStudyConfig,
} from '@stepwise/core';
import type { TrialResult } from '@stepwise/db';
import type { DbActivities } from '../activities/db-activities';

/**
 * `evaluate` studies: K sampler configurations on one model, compared on the same seeds (common
 * random numbers) with racing, so clearly worse candidates stop early and the samples go where
 * the decision is close. With a holdout, the reported numbers come from seeds the race never saw.
 */

export type { EvaluationSummary, RankingEntry } from '@stepwise/core';

const db = proxyActivities<DbActivities>({ startToCloseTimeout: '20s', retry: { maximumInterval: '5s' } });
const writes = proxyLocalActivities<DbActivities>({ startToCloseTimeout: '20s', localRetryThreshold: '10s', retry: { maximumInterval: '5s' } });

export async function runEvaluateStudy(studyId: string, config: TStudyConfig, computeQueue?: string): Promise<void> {
  if (config.objective.type !== 'sampler' || !config.candidates) throw new Error('evaluate study without a sampler objective or candidates');
  const compute = proxyActivities<ComputeActivities>({
    taskQueue: computeQueue ?? DEFAULT_COMPUTE_QUEUE,
    startToCloseTimeout: '30m',
    heartbeatTimeout: '20s',
    retry: { initialInterval: '500ms', maximumInterval: '10s', maximumAttempts: 10 },
  });
  const base = config.objective;
  const est = base.estimation;
  const direction = base.direction;
  const candidates = config.candidates;
  const objectives: TSamplerObjective[] = candidates.map((c) => resolveSamplerObjective(base, c));
  await writes.insertTrials({ studyId, trials: candidates.map((params, number) => ({ number, params })) });

  const ids = candidates.map((_, i) => String(i));
  const values: number[][] = ids.map(() => []);
  const blocks: RunningStats[][] = ids.map(() => []);
  let race: RaceState = createRace({
    candidates: ids, goal: direction, alpha: config.racing?.alpha ?? 0.05, indifference: config.racing?.indifference,
    minSamples: est.minSamples, maxSamples: est.maxSamples, blockSize: est.blockSize,
  });

  async function evaluateBlock(i: number, start: number, end: number, record: boolean): Promise<number[]> {
    const out = await compute.evaluateSamplerBlock({ objective: objectives[i], seed: config.seed, start, end, returnValues: true });
    if (record) {
      await writes.recordTrialBlock({ studyId, number: i, block: { blockIndex: blocks[i].length, seedStart: start, seedEnd: end, stats: out.stats } });
      blocks[i].push(out.stats);
    }
    return out.values ?? [];
  }

  for (let status = raceStatus(race); !status.done && status.nextBlock; status = raceStatus(race)) {
    const { firstSeed, size } = status.nextBlock;
    const alive = status.alive.map(Number);
    const got = await Promise.all(alive.map((i) => evaluateBlock(i, firstSeed, firstSeed + size, true)));
    const block: Record<string, number[]> = {};
    alive.forEach((i, k) => {
      block[ids[i]] = got[k];
      values[i].push(...got[k]);
    });
    race = raceUpdate(race, { firstSeed, values: block });
    await db.saveStrategyState({ studyId, state: { kind: 'evaluate', phase: 'race', race: raceStatus(race) } });
  }
  const final = raceStatus(race);

  // Final numbers: holdout seeds (never seen by the race) for every candidate, or the race's own.
  let finalValues = values;
  if (config.holdout) {
    const { start, size } = config.holdout;
    finalValues = ids.map(() => []);
    for (let s = start; s < start + size; s += est.blockSize) {
      const e = Math.min(start + size, s + est.blockSize);
      const got = await Promise.all(ids.map((_, i) => evaluateBlock(i, s, e, false)));
      got.forEach((v, i) => finalValues[i].push(...v));
    }
  }
  const summary: EvaluationSummary = rankCandidates({
    params: candidates, raceValues: values, finalValues, fromHoldout: Boolean(config.holdout), race: final, direction, confidence: est.confidence,
  });
  const results: TrialResult[] = summary.ranking.map((r) => ({
    number: r.number, status: 'completed', value: r.mean, stderr: r.stderr, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n,
    costSamples: r.raceSamples + (config.holdout ? config.holdout.size : 0), costNfe: objectives[r.number].nfe,
  }));
  await writes.recordTrialResults({ studyId, direction, results });
  await db.saveStrategyState({ studyId, state: summary });
}
