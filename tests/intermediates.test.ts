import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ZStudyConfig } from '@stepwise/core';
import { createDb, createStudy, getStudyRow, insertTrials, recordIntermediateValues, recordTrialResults, studyCurves, trialCurve, type Db } from '@stepwise/db';
import { recordAndJudge } from '../orchestrator/src/activities/pruning';

/**
 * Intermediate values in Postgres (pruning, issue #14 item 6): idempotent upserts on (trial,
 * step), the pruner's decision from the stored curves (the orchestration activity), the thinned
 * curves the dashboard reads, and pruned trials in the study's counters.
 */

let db: Db;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
});
afterAll(async () => {
  await db.$disconnect();
});

const config = ZStudyConfig.parse({
  name: 'curves', kind: 'random', objective: { type: 'command', program: 'train-tiny', metric: 'val_loss' },
  space: [{ type: 'float', name: 'lr', low: 0.01, high: 1 }], budget: { trials: 10 }, pruner: { type: 'median', minTrials: 3 },
});

async function studyWith(trials: number): Promise<string> {
  const study = await createStudy(db, { config, source: 'client', trialsTotal: 10 });
  await insertTrials(db, study.id, Array.from({ length: trials }, (_, number) => ({ number, params: { lr: 0.1 } })));
  return study.id;
}
const steps = (n: number, f: (s: number) => number) => Array.from({ length: n }, (_, i) => ({ step: i + 1, value: f(i + 1) }));

describe('intermediate values', () => {
  it('are upserted per (trial, step): a re-report overwrites instead of duplicating', async () => {
    const id = await studyWith(1);
    expect(await recordIntermediateValues(db, id, 0, steps(3, (s) => 1 / s))).toBe(3);
    await recordIntermediateValues(db, id, 0, [{ step: 1, value: 1 }, { step: 2, value: 0.25 }, { step: 4, value: 0.2 }]);
    expect(await trialCurve(db, id, 0)).toEqual([{ step: 1, value: 1 }, { step: 2, value: 0.25 }, { step: 3, value: 1 / 3 }, { step: 4, value: 0.2 }]);
    // Nothing usable, or a trial that does not exist, writes nothing.
    expect(await recordIntermediateValues(db, id, 0, [{ step: -1, value: 1 }, { step: 5, value: Number.NaN }])).toBe(0);
    expect(await recordIntermediateValues(db, id, 7, steps(2, () => 1))).toBe(0);
  });

  it('come back thinned for the dashboard, first and last step kept', async () => {
    const id = await studyWith(3);
    await recordIntermediateValues(db, id, 0, steps(100, (s) => 1 / s));
    await recordIntermediateValues(db, id, 2, steps(3, (s) => s));
    const curves = await studyCurves(db, id, { maxPoints: 10, maxTrials: 10 });
    // Trial 1 reported nothing: no curve.
    expect(curves.map((c) => [c.number, c.reported])).toEqual([[0, 100], [2, 3]]);
    expect(curves[0].points.length).toBeLessThanOrEqual(11);
    expect(curves[0].points[0]).toEqual({ step: 1, value: 1 });
    expect(curves[0].points.at(-1)).toEqual({ step: 100, value: 0.01 });
    expect(curves[1].points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect((await studyCurves(db, id, { maxPoints: 10, maxTrials: 10, number: 2 })).map((c) => c.number)).toEqual([2]);
    expect((await studyCurves(db, id, { maxPoints: 10, maxTrials: 1 })).map((c) => c.number)).toEqual([0]);
  });

  it('are judged by the study\'s pruner from the stored curves of the other trials', async () => {
    const id = await studyWith(5);
    // Three finished trials at 1.0, 0.9, 0.8 after every step.
    for (const [n, v] of [[0, 1], [1, 0.9], [2, 0.8]] as const) await recordIntermediateValues(db, id, n, steps(4, () => v));
    await recordTrialResults(db, id, 'minimize', [0, 1, 2].map((n) => ({ number: n, status: 'completed' as const, value: 1 - n / 10 })));
    const pruner = { type: 'median' as const, warmupSteps: 0, minTrials: 3 };
    const base = { studyId: id, direction: 'minimize' as const, pruner, judge: true };
    const worse = await recordAndJudge(db, { ...base, number: 3, points: steps(2, () => 1.5) });
    // Pruned at step 1, the first of the batch: its curve ends there.
    expect(worse).toMatchObject({ prune: true, last: { step: 1, value: 1.5 } });
    expect(worse.reason).toMatch(/^median: best so far 1.5 is worse than the median 0.9 of 3 trials at step 1/);
    expect(await trialCurve(db, id, 3)).toEqual([{ step: 1, value: 1.5 }]);
    expect(await recordAndJudge(db, { ...base, number: 4, points: steps(2, () => 0.85) })).toMatchObject({ prune: false, last: { step: 2, value: 0.85 } });
    // judge: false only records (a run that finished before its prune reached it keeps its whole curve).
    expect(await recordAndJudge(db, { ...base, number: 3, points: steps(3, () => 2), judge: false })).toEqual({ last: { step: 3, value: 2 }, prune: false, reason: null });
    expect(await trialCurve(db, id, 3)).toEqual(steps(3, () => 2));
  });

  it('are judged at every rung a batch crosses (ASHA)', async () => {
    const id = await studyWith(4);
    for (const [n, v] of [[0, 1], [1, 0.9], [2, 0.8]] as const) await recordIntermediateValues(db, id, n, steps(3, () => v));
    const asha = { type: 'asha' as const, minResource: 1, reductionFactor: 3 };
    // Worst of four at rung 1, best at rung 3: the batch [1, 2, 3] is pruned at rung 1.
    const out = await recordAndJudge(db, { studyId: id, number: 3, points: [{ step: 1, value: 5 }, { step: 2, value: 0.1 }, { step: 3, value: 0.1 }], direction: 'minimize', pruner: asha, judge: true });
    expect(out).toMatchObject({ prune: true, last: { step: 1, value: 5 } });
    expect(out.reason).toMatch(/^asha: at rung 1 value 5 is outside the best 1 of 4/);
    expect(await trialCurve(db, id, 3)).toEqual([{ step: 1, value: 5 }]);
    // A retried run that stored later steps in an earlier attempt, pruned again: its curve ends at the prune.
    await recordIntermediateValues(db, id, 3, steps(3, () => 5));
    expect((await recordAndJudge(db, { studyId: id, number: 3, points: [{ step: 1, value: 5 }], direction: 'minimize', pruner: asha, judge: true })).prune).toBe(true);
    expect(await trialCurve(db, id, 3)).toEqual([{ step: 1, value: 5 }]);
  });

  it('pruned trials are counted on the study and never its best', async () => {
    const id = await studyWith(2);
    await recordTrialResults(db, id, 'minimize', [
      { number: 0, status: 'completed', value: 0.5 },
      { number: 1, status: 'pruned', value: 0.1, error: 'pruned at step 3: asha' },
    ]);
    expect(await getStudyRow(db, id)).toMatchObject({ trialsCompleted: 1, trialsPruned: 1, trialsFailed: 0, bestValue: 0.5, bestTrialNumber: 0 });
    expect((await db.trial.findFirstOrThrow({ where: { studyId: id, number: 1 } })).status).toBe('pruned');
  });
});
