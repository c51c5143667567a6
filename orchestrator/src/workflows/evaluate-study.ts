import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import {
  DEFAULT_COMPUTE_QUEUE, comparePaired, createRace, raceStatus, raceUpdate, resolveSamplerObjective, statsOf,
  tInterval, type ComputeActivities, type RaceState, type RunningStats, type TSamplerObjective, type TStudyConfig,
} from '@stepwise/core';
import type { TrialResult } from '@stepwise/db';
import type { DbActivities } from '../activities/db-activities';

/**
 * `evaluate` studies: K sampler configurations on one model, compared on the same seeds (common
 * random numbers) with racing, so clearly worse candidates stop early and the samples go where
 * the decision is close. With a holdout, the reported numbers come from seeds the race never saw.
 */

export interface RankingEntry {
  number: number;
  params: Record<string, unknown>;
  mean: number;
  ciLow: number;
  ciHigh: number;
  n: number;
  /** Search-time samples this candidate received in the race. */
  raceSamples: number;
  eliminatedAtLook: number | null;
  /** Paired difference (this - best) on shared seeds, with its interval; null for the best. */
  vsBest: { mean: number; ciLow: number; ciHigh: number; n: number } | null;
}

export interface EvaluationSummary {
  kind: 'evaluate';
  source: 'holdout' | 'search';
  outcome: string;
  evaluations: number;
  ranking: RankingEntry[];
}

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
  const confidence = est.confidence;
  const estimates = finalValues.map((v) => tInterval(statsOf(v), confidence));
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const best = config.holdout
    ? estimates.reduce((bi, e, i) => (better(e.mean, estimates[bi].mean) ? i : bi), 0)
    : Number(final.leader);
  const ranking: RankingEntry[] = ids.map((_, i) => {
    const e = estimates[i];
    const n = Math.min(finalValues[i].length, finalValues[best].length);
    const paired = i === best ? null : comparePaired(finalValues[i].slice(0, n), finalValues[best].slice(0, n), confidence);
    const elim = final.eliminated.find((x) => x.id === ids[i]);
    return {
      number: i, params: candidates[i], mean: e.mean, ciLow: e.ciLow, ciHigh: e.ciHigh, n: e.n,
      raceSamples: values[i].length, eliminatedAtLook: elim ? elim.look : null,
      vsBest: paired ? { mean: paired.mean, ciLow: paired.ciLow, ciHigh: paired.ciHigh, n: paired.n } : null,
    };
  });
  ranking.sort((a, b) => (direction === 'minimize' ? a.mean - b.mean : b.mean - a.mean));

  const results: TrialResult[] = ranking.map((r) => ({
    number: r.number, status: 'completed', value: r.mean, stderr: estimates[r.number].stderr, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n,
    costSamples: r.raceSamples + (config.holdout ? config.holdout.size : 0), costNfe: objectives[r.number].nfe,
  }));
  await writes.recordTrialResults({ studyId, direction, results });
  const summary: EvaluationSummary = { kind: 'evaluate', source: config.holdout ? 'holdout' : 'search', outcome: final.outcome, evaluations: final.evaluations, ranking };
  await db.saveStrategyState({ studyId, state: summary });
}
