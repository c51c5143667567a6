import { describe, expect, it } from 'vitest';
import { ZStudyConfig, formatIssues } from './study';
import { objectiveNfe, scheduleEndProblem, studyEndTime } from './objectives';
import { resolveSamplerObjective } from '../search/objective-params';
import { gridSize, gridTrialParams } from '../search/grid-search';
import { ZSolverSchedule } from '../sampling/schedule';

/** A 3-step USF schedule on vp-linear ending at the default end time 1e-3: 3 NFE, one intermediate point = 4. */
const schedule = {
  noiseSchedule: 'vp-linear',
  timesteps: { spacing: 'explicit', values: [1, 0.3, 0.05, 0.001] },
  steps: [
    { prediction: 'data', order: 1 },
    { prediction: 'data', order: 2, intermediate: [{ r: 0.5, order: 1 }] },
    { prediction: 'noise', order: 2 },
  ],
};

const objective = { type: 'sampler', model: 'gmm-2d', metric: 'rmse' };
const evaluate = (candidates: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'schedules', kind: 'evaluate', objective: { ...objective, ...extra }, budget: { trials: 2 }, candidates,
});

function issuesOf(input: unknown): string[] {
  const r = ZStudyConfig.safeParse(input);
  return r.success ? [] : formatIssues(r.error);
}

describe('a solver schedule as a trial parameter', () => {
  it('is accepted as an evaluate candidate and replaces preset and nfe for that trial, with its own NFE as cost', () => {
    const cfg = ZStudyConfig.parse(evaluate([{ schedule }, { preset: 'ddim', nfe: 4 }]));
    if (cfg.objective.type !== 'sampler') throw new Error('sampler objective expected');
    const resolved = resolveSamplerObjective(cfg.objective, cfg.candidates![0]);
    expect(resolved.schedule).toEqual(ZSolverSchedule.parse(schedule));
    // The study's default nfe is 10; the schedule makes 4 model evaluations per sample.
    expect(resolved.nfe).toBe(10);
    expect(objectiveNfe(resolved)).toBe(4);
    expect(objectiveNfe(resolveSamplerObjective(cfg.objective, cfg.candidates![1]))).toBe(4);
  });

  it('refuses a bad schedule at launch with the field path inside the candidate', () => {
    const bad = { ...schedule, steps: [schedule.steps[0], { prediction: 'data', order: 7 }, schedule.steps[2]] };
    const issues = issuesOf(evaluate([{ schedule }, { schedule: bad }]));
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(i).toMatch(/^candidates\.1\.schedule\.steps\.1\.order: /);
    expect(issuesOf(evaluate([{ schedule }, { schedule: 'fast.json' }]))).toEqual([expect.stringMatching(/^candidates\.1\.schedule: /)]);
  });

  it('refuses a schedule that ends elsewhere than the study end time under rmse, naming both times', () => {
    const early = { ...schedule, timesteps: { spacing: 'explicit', values: [1, 0.3, 0.05, 0.02] } };
    const issues = issuesOf(evaluate([{ schedule }, { schedule: early }]));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^candidates\.1\.schedule\.timesteps: the schedule ends at t = 0\.02 but the study's end time is 0\.001/);
    // With objective.tEnd = 0.02 the early schedule is the fair one and the other is refused.
    expect(issuesOf(evaluate([{ schedule: early }, { preset: 'ddim' }], { tEnd: 0.02 }))).toEqual([]);
    expect(issuesOf(evaluate([{ schedule }, { preset: 'ddim' }], { tEnd: 0.02 }))[0]).toMatch(/^candidates\.0\.schedule\.timesteps: .*objective\.tEnd/);
    // Other metrics score the samples themselves: no reference time to match.
    expect(issuesOf(evaluate([{ schedule: early }, { schedule }], { metric: 'nll' }))).toEqual([]);
  });

  it('keeps tEnd fixed per study under rmse', () => {
    expect(issuesOf(evaluate([{ preset: 'ddim', tEnd: 0.01 }, { preset: 'ddim' }]))).toEqual([expect.stringMatching(/^candidates\.0\.tEnd: .*set objective\.tEnd/)]);
    const grid = { name: 'g', kind: 'grid', objective, budget: { trials: 4 }, space: [{ type: 'float', name: 'tEnd', low: 0.001, high: 0.01 }] };
    expect(issuesOf(grid)).toEqual([expect.stringMatching(/^space\.0\.name: rmse is measured against the reference/)]);
  });

  it('is a categorical choice of grid and random studies, each choice validated', () => {
    const other = { ...schedule, steps: schedule.steps.map((s) => ({ ...s, prediction: 'noise' })) };
    const grid = (choices: unknown[], kind = 'grid') => ({ name: 'g', kind, objective, budget: { trials: 4 }, space: [{ type: 'categorical', name: 'schedule', choices }] });
    const cfg = ZStudyConfig.parse(grid([schedule, other]));
    expect(gridSize(cfg.space!)).toBe(2);
    expect(gridTrialParams(cfg.space!, 1).schedule).toEqual(other);
    expect(issuesOf(grid([schedule, { ...schedule, steps: [] }]))).toContainEqual(expect.stringMatching(/^space\.0\.choices\.1\.schedule\.steps: /));
    expect(issuesOf(grid([schedule, other], 'bayesopt'))[0]).toMatch(/^space\.0: bayesopt cannot model a choice among whole schedules/);
    const objectChoice = { name: 'g', kind: 'grid', objective, budget: { trials: 4 }, space: [{ type: 'categorical', name: 'preset', choices: ['ddim', { a: 1 }] }] };
    expect(issuesOf(objectChoice)).toContainEqual(expect.stringMatching(/^space\.0\.choices\.1: choices of "preset" are strings, numbers or booleans/));
  });

  it('computes the study end time and says when a schedule misses it', () => {
    const parsed = ZSolverSchedule.parse(schedule);
    expect(studyEndTime({}, 'vp-linear')).toBe(0.001);
    expect(scheduleEndProblem(parsed, {})).toBeNull();
    expect(scheduleEndProblem(parsed, { tEnd: 0.002 })).toMatch(/ends at t = 0\.001 but the study's end time is 0\.002 \(objective\.tEnd\)/);
  });
});
