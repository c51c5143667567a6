import { describe, expect, it } from 'vitest';
import { ZSolverSchedule, formatScheduleIssues, scheduleNfe, scheduleTimesteps, type TSolverScheduleInput } from './schedule';

const multistep = (orders: number[], extra: Record<string, unknown> = {}): TSolverScheduleInput => ({
  noiseSchedule: 'vp-linear',
  timesteps: { spacing: 'logSNR' },
  steps: orders.map((order) => ({ prediction: 'data', order, ...extra })),
});

function issues(doc: unknown) {
  const r = ZSolverSchedule.safeParse(doc);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => ({ path: i.path, message: i.message }));
}

describe('ZSolverSchedule: valid documents', () => {
  it('accepts a minimal multistep schedule and fills defaults', () => {
    const s = ZSolverSchedule.parse(multistep([1, 2, 3, 3]));
    expect(s.version).toBe(1);
    expect(s.analyticFirstStep).toBe(false);
    expect(s.steps[3]).toMatchObject({ relaxation: 'none', corrector: false, interpolation: 'lambda', intermediate: [] });
    expect(scheduleTimesteps(s)).toHaveLength(5);
    expect(scheduleNfe(s)).toBe(4);
  });

  it('accepts singlestep intermediate points and counts them in the NFE', () => {
    const s = ZSolverSchedule.parse({
      noiseSchedule: 'vp-cosine',
      timesteps: { spacing: 'explicit', values: [0.9946, 0.5, 0.01] },
      analyticFirstStep: true,
      steps: [
        { prediction: 'noise', order: 2, intermediate: [{ r: 1 / 3, order: 1 }, { r: 2 / 3, order: 2, derivativePoints: [{ mid: 0 }] }], derivativePoints: [{ mid: 1 }] },
        { prediction: 'data', order: 3, intermediate: [{ r: 0.5, order: 2 }], derivativePoints: [{ mid: 0 }, { prev: 1 }] },
      ],
    });
    expect(scheduleNfe(s)).toBe(2 + 3 - 1);
  });
});

describe('ZSolverSchedule: rejected documents name the step and the field', () => {
  it('order higher than the available evaluations', () => {
    expect(issues(multistep([1, 3, 3]))).toContainEqual({
      path: ['steps', 1, 'order'],
      message: 'step 1 uses order 3 but only 1 earlier evaluation exists; lower the order, or add intermediate points (singlestep) to this step (order k needs k-1 earlier evaluations)',
    });
    const [first] = issues(multistep([1, 2, 4, 3]));
    expect(first.path).toEqual(['steps', 2, 'order']);
    expect(first.message).toMatch(/^step 2 uses order 4 but only 2 earlier evaluations exist; lower the order/);
  });

  it('corrector on the last step', () => {
    const doc = multistep([1, 2, 2], { corrector: true });
    expect(issues(doc)).toEqual([
      { path: ['steps', 2, 'corrector'], message: expect.stringMatching(/^step 2 is the last step and cannot use the corrector/) },
    ]);
  });

  it('derivative points that do not exist or are too few', () => {
    const doc = multistep([1, 2, 3]);
    (doc.steps[1] as Record<string, unknown>).derivativePoints = [{ prev: 2 }];
    (doc.steps[2] as Record<string, unknown>).derivativePoints = [{ prev: 1 }];
    (doc.steps[0] as Record<string, unknown>).derivativePoints = [{ mid: 0 }];
    const got = issues(doc);
    expect(got).toContainEqual({ path: ['steps', 1, 'derivativePoints', 0], message: 'step 1 uses {"prev": 2} but only 1 earlier step exists before step 1' });
    expect(got).toContainEqual({ path: ['steps', 2, 'derivativePoints'], message: 'step 2 uses order 3 but derivativePoints lists 1 point; order k needs at least k-1' });
    expect(got).toContainEqual({ path: ['steps', 0, 'derivativePoints', 0], message: 'step 0 uses {"mid": 0} but the step has 0 intermediate points' });
  });

  it('intermediate points: later points only, increasing r, r in (0, 1)', () => {
    const doc = {
      noiseSchedule: 'vp-linear',
      timesteps: { spacing: 'logSNR' },
      steps: [{ prediction: 'noise', order: 2, intermediate: [{ r: 0.6, order: 2, derivativePoints: [{ mid: 1 }] }, { r: 0.4, order: 1 }] }],
    };
    const got = issues(doc);
    expect(got).toContainEqual({ path: ['steps', 0, 'intermediate', 0, 'derivativePoints', 0], message: 'step 0 intermediate point 0 uses {"mid": 1} but can only use intermediate points computed before it (mid < 0)' });
    expect(got).toContainEqual({ path: ['steps', 0, 'intermediate', 1, 'r'], message: 'step 0 intermediate points must have increasing r: r=0.4 follows r=0.6' });
    const outOfRange = issues({ ...doc, steps: [{ prediction: 'noise', order: 1, intermediate: [{ r: 1, order: 1 }] }] });
    expect(outOfRange[0].path).toEqual(['steps', 0, 'intermediate', 0, 'r']);
  });

  it('relaxations: coefficient only with linear, and only where an order-2 update exists', () => {
    const got = issues({
      noiseSchedule: 'vp-linear',
      timesteps: { spacing: 'logSNR' },
      steps: [
        { prediction: 'data', order: 1, relaxation: 'linear' },
        { prediction: 'data', order: 2, relaxation: 'unipc-bh2', relaxationCoefficient: 0.1 },
        { prediction: 'data', order: 3, relaxation: 'dpmsolver-2' },
        { prediction: 'noise', order: 2, interpolation: 'time', relaxation: 'unipc-bh1' },
      ],
    });
    expect(got).toContainEqual({ path: ['steps', 0, 'relaxationCoefficient'], message: 'step 0 uses the linear relaxation (1 + c h) but gives no relaxationCoefficient c' });
    expect(got).toContainEqual({ path: ['steps', 1, 'relaxationCoefficient'], message: 'step 1 gives relaxationCoefficient but its relaxation is "unipc-bh2"; it only applies to "linear"' });
    expect(got).toContainEqual({ path: ['steps', 2, 'relaxation'], message: expect.stringMatching(/^step 2: relaxation "dpmsolver-2" only acts on order-2 updates/) });
    expect(got).toContainEqual({ path: ['steps', 3, 'relaxation'], message: expect.stringMatching(/cannot be combined with interpolation "time"/) });
  });

  it('dpmsolver-3m only where an order-3 update exists (predictor, or the corrector of an order-2 step)', () => {
    const got = issues({
      noiseSchedule: 'vp-linear',
      timesteps: { spacing: 'logSNR' },
      steps: [
        { prediction: 'data', order: 1 },
        { prediction: 'data', order: 2, relaxation: 'dpmsolver-3m' },
        { prediction: 'data', order: 3, relaxation: 'dpmsolver-3m' },
        { prediction: 'data', order: 2, relaxation: 'dpmsolver-3m', corrector: true },
        { prediction: 'data', order: 1 },
      ],
    });
    expect(got).toEqual([{ path: ['steps', 1, 'relaxation'], message: 'step 1: relaxation "dpmsolver-3m" only acts on order-3 updates (predictor, intermediate point or corrector) and this step has none; set it to "none"' }]);
  });

  it('timesteps that do not fit the steps or the noise schedule', () => {
    expect(issues({ ...multistep([1, 2]), timesteps: { spacing: 'explicit', values: [1, 0.5, 0.6] } })).toContainEqual({
      path: ['timesteps', 'values'],
      message: 'timesteps must be strictly decreasing: timestep 2 (0.6) is not below timestep 1 (0.5)',
    });
    expect(issues({ ...multistep([1, 2]), timesteps: { spacing: 'explicit', values: [1, 0.5] } })).toContainEqual({
      path: ['timesteps', 'values'], message: '2 steps need 3 timesteps, got 2',
    });
    expect(issues({ ...multistep([1, 2]), timesteps: { spacing: 'logSNR', steps: 3 } })).toContainEqual({
      path: ['timesteps', 'steps'], message: 'timesteps.steps is 3 but the schedule lists 2 steps',
    });
    expect(issues({ ...multistep([1]), noiseSchedule: 'vp-cosine', timesteps: { spacing: 'time-uniform', tStart: 1 } })[0].path).toEqual(['timesteps', 'tStart']);
    expect(issues({ ...multistep([1]), timesteps: { spacing: 'logSNR', rho: 7 } })[0].path).toEqual(['timesteps', 'rho']);
  });

  it('unknown keys and bad enums are errors, not silently dropped', () => {
    const got = issues({ ...multistep([1]), steps: [{ prediction: 'data', order: 1, corector: true }] });
    expect(got[0].path).toEqual(['steps', 0]);
    expect(issues({ ...multistep([1]), steps: [{ prediction: 'x0', order: 1 }] })[0].path).toEqual(['steps', 0, 'prediction']);
    expect(issues({ ...multistep([1]), steps: [{ prediction: 'data', order: 5 }] })[0].path).toEqual(['steps', 0, 'order']);
  });

  it('formats issues as path: message lines', () => {
    const r = ZSolverSchedule.safeParse(multistep([2]));
    expect(formatScheduleIssues(r.error!)).toEqual([
      'steps.0.order: step 0 uses order 2 but only 0 earlier evaluations exist; lower the order, or add intermediate points (singlestep) to this step (order k needs k-1 earlier evaluations)',
    ]);
  });
});
