import { proxyActivities } from '@temporalio/workflow';
import {
  createRace, objectiveNfe, rankCandidates, raceStatus, raceUpdate, resolveSamplerObjective,
  type EvaluationSummary, type RaceState, type TSamplerObjective, type TStudyConfig,
} from '@stepwise/core';
import type { TrialBlockRecord, TrialResult } from '@stepwise/core';
import type { DbActivities } from '../activities/db-activities';
import { computeActivities } from './compute';
import type { TrialWrites } from './trial-writes';

/**
 * `evaluate` studies: K sampler configurations on one model, compared on the same seeds (common
 * random numbers) with racing, so clearly worse candidates stop early and the samples go where
 * the decision is close. With a holdout, the reported numbers come from seeds the race never saw.
 *
 * Every race block is recorded with its per-seed values before the next round is requested, so
 * the race can be rebuilt from the database alone: a run that continues as new (every
 * RACE_ROUNDS_PER_RUN rounds, to keep the history bounded) or restarts replays the recorded
 * blocks through the same pure race update and goes on from the first round not yet recorded.
 */

export type { EvaluationSummary, RankingEntry } from '@stepwise/core';

const db = proxyActivities<DbActivities>({ startToCloseTimeout: '20s', retry: { maximumInterval: '5s' } });

/** Race rounds one workflow run evaluates before continuing as new (~4 events per candidate per round). */
export const RACE_ROUNDS_PER_RUN = 32;

export interface EvaluateRunContext {
  studyId: string;
  config: TStudyConfig;
  computeQueue?: string;
  writes: TrialWrites;
  /** Whether this run was recorded with the current code path (every new run) or replays an older one. */
  current: boolean;
  /** Whether an earlier run of this study recorded race blocks (the workflow continued as new). */
  continued: boolean;
  /** Resolves when the study is not paused (records the pause on the study row meanwhile). */
  pauseGate: () => Promise<void>;
}

/** `done`, or `continue`: this run's share of rounds is spent and the caller continues as new. */
export type EvaluateRunOutcome = 'done' | 'continue';

/** Race state and per-candidate values rebuilt from recorded blocks (pure). */
export function rebuildRace(race: RaceState, ids: string[], blocks: TrialBlockRecord[][]): { race: RaceState; values: number[][]; recorded: number[] } {
  const values: number[][] = ids.map(() => []);
  const recorded = ids.map(() => 0);
  for (let status = raceStatus(race); !status.done && status.nextBlock; status = raceStatus(race)) {
    const { firstSeed } = status.nextBlock;
    const round: Record<string, number[]> = {};
    let complete = true;
    for (const id of status.alive) {
      const i = Number(id);
      const b = blocks[i]?.find((x) => x.seedStart === firstSeed);
      if (!b || !Array.isArray(b.values)) {
        complete = false;
        break;
      }
      round[id] = b.values;
    }
    if (!complete) break;
    for (const id of status.alive) {
      const i = Number(id);
      values[i].push(...round[id]);
      recorded[i]++;
    }
    race = raceUpdate(race, { firstSeed, values: round });
  }
  return { race, values, recorded };
}

export async function runEvaluateStudy(ctx: EvaluateRunContext): Promise<EvaluateRunOutcome> {
  const { studyId, config, writes, current } = ctx;
  if (config.objective.type !== 'sampler' || !config.candidates) throw new Error('evaluate study without a sampler objective or candidates');
  const compute = computeActivities(ctx.computeQueue);
  const base = config.objective;
  const est = base.estimation;
  const direction = base.direction;
  const candidates = config.candidates;
  const objectives: TSamplerObjective[] = candidates.map((c) => resolveSamplerObjective(base, c));
  await writes.insertTrials({ studyId, trials: candidates.map((params, number) => ({ number, params })) });

  const ids = candidates.map((_, i) => String(i));
  let values: number[][] = ids.map(() => []);
  let blockCounts = ids.map(() => 0);
  let race: RaceState = createRace({
    candidates: ids, goal: direction, alpha: config.racing?.alpha ?? 0.05, indifference: config.racing?.indifference,
    minSamples: est.minSamples, maxSamples: est.maxSamples, blockSize: est.blockSize,
  });
  if (current && ctx.continued) {
    // Whatever an earlier run recorded is not evaluated again. One read per candidate keeps each
    // result within Temporal's payload limit (a candidate's values are at most maxSamples numbers).
    const recorded = (await Promise.all(ids.map((id) => db.studyTrialBlocks({ studyId, numbers: [Number(id)] })))).map((b) => b[0]);
    const rebuilt = rebuildRace(race, ids, recorded);
    race = rebuilt.race;
    values = rebuilt.values;
    blockCounts = rebuilt.recorded;
  }

  async function evaluateBlock(i: number, start: number, end: number, record: boolean): Promise<number[]> {
    const out = await compute.evaluateSamplerBlock({ objective: objectives[i], seed: config.seed, start, end, returnValues: true });
    if (record) {
      const block = { blockIndex: blockCounts[i], seedStart: start, seedEnd: end, stats: out.stats };
      await writes.recordTrialBlock(current ? { studyId, number: i, block: { ...block, values: out.values ?? [] }, quiet: true } : { studyId, number: i, block });
      blockCounts[i]++;
    }
    return out.values ?? [];
  }

  let rounds = 0;
  for (let status = raceStatus(race); !status.done && status.nextBlock; status = raceStatus(race)) {
    if (current) {
      if (rounds >= RACE_ROUNDS_PER_RUN) return 'continue';
      await ctx.pauseGate();
    }
    const { firstSeed, size } = status.nextBlock;
    const alive = status.alive.map(Number);
    const got = await Promise.all(alive.map((i) => evaluateBlock(i, firstSeed, firstSeed + size, true)));
    const block: Record<string, number[]> = {};
    alive.forEach((i, k) => {
      block[ids[i]] = got[k];
      values[i].push(...got[k]);
    });
    race = raceUpdate(race, { firstSeed, values: block });
    rounds++;
    await db.saveStrategyState({ studyId, state: { kind: 'evaluate', phase: 'race', race: raceStatus(race) } });
  }
  const final = raceStatus(race);

  // Final numbers: holdout seeds (never seen by the race) for every candidate, or the race's own.
  let finalValues = values;
  if (config.holdout) {
    const { start, size } = config.holdout;
    finalValues = ids.map(() => []);
    for (let s = start; s < start + size; s += est.blockSize) {
      if (current) await ctx.pauseGate();
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
    costSamples: r.raceSamples + (config.holdout ? config.holdout.size : 0), costNfe: objectiveNfe(objectives[r.number]),
  }));
  await writes.recordTrialResults({ studyId, direction, results });
  await db.saveStrategyState({ studyId, state: summary });
  return 'done';
}
