import {
  CounterRng,
  createRace,
  rankCandidates,
  raceStatus,
  raceUpdate,
  statsOf,
  type EvaluationSummary,
  type RaceState,
  type RaceStatus,
  type RunningStats,
  type TStudyConfig,
} from '@stepwise/core';

/**
 * The in-memory service's stand-in for an `evaluate` study's workflow: the real racing code
 * (core's createRace / raceUpdate / raceStatus) run on synthetic per-seed values with common
 * random numbers, then the same ranking the workflow records (workflows/evaluate-study.ts).
 * Computed once per study; the service reveals it look by look on its clock.
 */

export interface FakeEvaluation {
  /** Race status after look k + 1. */
  looks: RaceStatus[];
  /** Holdout seeds add one more simulated step after the race. */
  holdout: boolean;
  summary: EvaluationSummary;
  /** Per candidate: the race's values and per-block statistics (the trial's seed blocks). */
  blocks: RunningStats[][];
  stderr: number[];
}

/** Holdout seeds the fake evaluates at most (a real holdout can be far larger). */
const HOLDOUT_CAP = 4096;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A candidate's true mean: falls with NFE, a preset/spacing-dependent constant. Positive, like an RMSE. */
export function syntheticSamplerMean(params: Record<string, unknown>, defaults: { nfe?: unknown; preset?: unknown; spacing?: unknown }): number {
  const nfe = Math.max(1, Number(params.nfe ?? defaults.nfe ?? 10) || 10);
  const tag = `${String(params.preset ?? defaults.preset ?? '')}|${String(params.spacing ?? defaults.spacing ?? '')}|${String(params.guidance ?? '')}`;
  const k = hash(tag) % 7;
  return 0.01 + (0.25 + 0.08 * k) / nfe ** (1 + 0.1 * (k % 3));
}

export function simulateEvaluation(config: TStudyConfig): FakeEvaluation {
  const obj = config.objective;
  if (obj.type !== 'sampler' || !config.candidates) throw new Error('an evaluate study needs a sampler objective and candidates');
  const est = obj.estimation;
  const direction = obj.direction;
  const candidates = config.candidates;
  const ids = candidates.map((_, i) => String(i));
  const means = candidates.map((c) => syntheticSamplerMean(c, obj));
  // Common random numbers: a per-seed factor shared by every candidate, plus a little of its own.
  const sample = (i: number, seed: number) => {
    const common = new CounterRng(config.seed ^ 0xc0a1, seed + 1).normal();
    const own = new CounterRng(config.seed ^ (0x5100 + i), seed + 1).normal();
    return Math.max(1e-6, means[i] * (1 + 0.45 * common + 0.08 * own));
  };

  const values: number[][] = ids.map(() => []);
  const blocks: RunningStats[][] = ids.map(() => []);
  const looks: RaceStatus[] = [];
  let race: RaceState = createRace({
    candidates: ids,
    goal: direction,
    alpha: config.racing?.alpha ?? 0.05,
    indifference: config.racing?.indifference,
    minSamples: est.minSamples,
    maxSamples: est.maxSamples,
    blockSize: est.blockSize,
  });
  for (let status = raceStatus(race); !status.done && status.nextBlock; status = raceStatus(race)) {
    const { firstSeed, size } = status.nextBlock;
    const block: Record<string, number[]> = {};
    for (const id of status.alive) {
      const i = Number(id);
      const v = Array.from({ length: size }, (_, k) => sample(i, firstSeed + k));
      block[id] = v;
      values[i].push(...v);
      blocks[i].push(statsOf(v));
    }
    race = raceUpdate(race, { firstSeed, values: block });
    looks.push(raceStatus(race));
  }
  const final = raceStatus(race);

  let finalValues = values;
  if (config.holdout) {
    const { start } = config.holdout;
    const size = Math.min(config.holdout.size, HOLDOUT_CAP);
    finalValues = ids.map((_, i) => Array.from({ length: size }, (_, k) => sample(i, start + k)));
  }
  const summary = rankCandidates({
    params: candidates, raceValues: values, finalValues, fromHoldout: Boolean(config.holdout), race: final, direction, confidence: est.confidence,
  });
  return {
    looks,
    holdout: !!config.holdout,
    summary,
    blocks,
    stderr: summary.ranking.slice().sort((a, b) => a.number - b.number).map((r) => r.stderr),
  };
}

/** Simulated steps (one per race look, plus one for the holdout) until the study finishes. */
export function evaluationSteps(ev: FakeEvaluation): number {
  return ev.looks.length + (ev.holdout ? 1 : 0);
}

/** The strategy state after `steps` simulated steps, as the workflow would have saved it. */
export function evaluationStateAt(ev: FakeEvaluation, steps: number): unknown {
  if (steps < 1) return null;
  if (steps >= evaluationSteps(ev)) return ev.summary;
  return { kind: 'evaluate', phase: 'race', race: ev.looks[Math.min(steps, ev.looks.length) - 1] };
}
