import { describe, expect, it } from 'vitest';
import { buildPresetSchedule } from '../sampling/presets';
import { ZSolverSchedule, scheduleTimesteps, type TSolverSchedule } from '../sampling/schedule';
import { repair } from './draft';
import { scheduleKey, schedulesEqual } from './key';
import { CounterRng } from '../rng';
import { randomSchedule } from './random';
import { MAX_TRAIN, proposeS3Stage, type S3Evaluated } from './search';
import { presetSeeds } from './seeds';
import { nfeOf, parseS3Space } from './space';

const spaceInput = { nfe: 5, noiseSchedule: 'vp-linear' as const, tEnd: 1e-3 };
const space = parseS3Space(spaceInput);

/** Known objective: error grows with distance of the grid from a target and with DDIM steps. */
function objective(s: TSolverSchedule): number {
  const ts = scheduleTimesteps(s);
  let v = 0.01;
  for (let k = 1; k < ts.length - 1; k++) v += Math.abs(Math.sqrt(ts[k]) - (1 - k / (ts.length - 1)));
  v *= 1 + s.steps.filter((st) => st.order === 1).length;
  return v;
}

function expectValid(candidates: TSolverSchedule[], evaluated: readonly S3Evaluated[], count: number) {
  expect(candidates).toHaveLength(count);
  const keys = new Set(candidates.map(scheduleKey));
  expect(keys.size).toBe(count);
  for (const e of evaluated) expect(keys.has(scheduleKey(repair(e.schedule, space)))).toBe(false);
  for (const c of candidates) {
    expect(ZSolverSchedule.safeParse(c).success).toBe(true);
    expect(nfeOf(c)).toBe(5);
    const ts = scheduleTimesteps(c);
    expect(ts[ts.length - 1]).toBe(1e-3);
  }
}

describe('proposeS3Stage', () => {
  it('stage 0 proposes the preset seeds first, then random schedules, all distinct', () => {
    const seeds = presetSeeds(space);
    const r = proposeS3Stage({ space: spaceInput, evaluated: [], count: 20, seed: 1, stage: 0 });
    expectValid(r.candidates, [], 20);
    r.candidates.forEach((c, i) => expect(schedulesEqual(c, seeds[i].schedule)).toBe(true));
    expect(r.predictor).toEqual({ name: 'constant', heldOutSpearman: null, heldOutKendall: null, trainSize: 0 });
    const more = proposeS3Stage({ space, evaluated: [], count: seeds.length + 30, seed: 1, stage: 0 });
    expectValid(more.candidates, [], seeds.length + 30);
  });

  it('later stages: screened children, distinct from each other and from what was evaluated, deterministic per seed', () => {
    const first = proposeS3Stage({ space, evaluated: [], count: 40, seed: 2, stage: 0 }).candidates;
    // A failed evaluation and a baseline given with a spaced grid are part of the input too.
    const baseline = buildPresetSchedule('dpmpp-2m', 5, { tEnd: 1e-3 });
    const evaluated: S3Evaluated[] = [...first.map((s, i) => ({ schedule: s, value: i === 3 ? NaN : objective(s) })), { schedule: baseline, value: objective(baseline) }];
    const input = { space, evaluated, count: 12, seed: 2, stage: 1, populationSize: 400 };
    const a = proposeS3Stage(input), b = proposeS3Stage(input);
    expectValid(a.candidates, evaluated, 12);
    expect(a.candidates.map(scheduleKey)).toEqual(b.candidates.map(scheduleKey));
    expect(a.predictor.name).toBe('gp');
    expect(a.predictor.trainSize).toBe(41);
    expect(a.predictor.heldOutSpearman).toBeGreaterThan(0.3);
    expect(a.predictor.heldOutKendall).not.toBeNull();
    const c = proposeS3Stage({ ...input, seed: 3 });
    expect(c.candidates.map(scheduleKey)).not.toEqual(a.candidates.map(scheduleKey));
    // The predictor steers towards the objective's optimum: the proposals beat the evaluated median.
    const median = evaluated.map((e) => e.value).filter(Number.isFinite).sort((x, y) => x - y)[20];
    const proposed = a.candidates.map(objective).sort((x, y) => x - y);
    expect(proposed[6]).toBeLessThan(median);

    const off = proposeS3Stage({ ...input, predictor: 'none' });
    expectValid(off.candidates, evaluated, 12);
    expect(off.predictor).toEqual({ name: 'none', heldOutSpearman: null, heldOutKendall: null, trainSize: 41 });
  });

  it('trains the predictor on at most MAX_TRAIN evaluations, the best first', () => {
    const rng = new CounterRng(9);
    const evaluated: S3Evaluated[] = Array.from({ length: MAX_TRAIN + 50 }, () => {
      const s = randomSchedule(space, rng);
      return { schedule: s, value: objective(s) };
    });
    const r = proposeS3Stage({ space, evaluated, count: 8, seed: 4, stage: 3, populationSize: 200, predictor: 'ridge' });
    expect(r.predictor.name).toBe('ridge');
    expect(r.predictor.trainSize).toBe(MAX_TRAIN);
    expectValid(r.candidates, evaluated, 8);
  });

  it('rejects bad input with the field named', () => {
    expect(() => proposeS3Stage({ space, evaluated: [], count: 0, seed: 1, stage: 0 })).toThrow(/count must be a positive integer/);
    expect(() => proposeS3Stage({ space, evaluated: [], count: 3, seed: -1, stage: 0 })).toThrow(/seed must be/);
    expect(() => proposeS3Stage({ space: { ...spaceInput, tEnd: 2 }, evaluated: [], count: 3, seed: 1, stage: 0 })).toThrow(/tEnd: tEnd \(2\) must be below tStart/);
  });
});
