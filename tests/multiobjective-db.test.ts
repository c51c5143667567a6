import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CounterRng, paretoFront, ZStudyConfig, type TrialResult } from '@stepwise/core';
import { createDb, createStudy, insertTrials, recordMultiObjectiveResults, type Db } from '@stepwise/db';

/**
 * The stored Pareto front against real Postgres: many writers finishing trials of one study at
 * once (as parallel slots do) leave exactly the front recomputed from every trial's values, with
 * mixed directions, ties and failures; a retried write changes nothing.
 */
let db: Db;
beforeAll(() => {
  db = createDb(inject('databaseUrl'), 16);
});
afterAll(async () => {
  await db.$disconnect();
});

const config = ZStudyConfig.parse({
  name: 'mo-db', kind: 'random', objective: { type: 'command', program: 'train-tiny' },
  objectives: [{ metric: 'loss', direction: 'minimize' }, { metric: 'acc', direction: 'maximize' }, { metric: 'seconds', direction: 'minimize' }],
  space: [{ type: 'float', name: 'lr', low: 0.001, high: 1 }],
  budget: { trials: 3000, parallel: 16 },
});
const directions = ['minimize', 'maximize', 'minimize'] as const;

async function storedAndRecomputed(studyId: string) {
  const rows = await db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' }, select: { number: true, status: true, value: true, objectiveValues: true, onFront: true } });
  const done = rows.filter((r) => r.status === 'completed');
  return {
    rows,
    stored: rows.filter((r) => r.onFront).map((r) => r.number),
    recomputed: paretoFront(done.map((r) => r.objectiveValues), [...directions]).map((i) => done[i].number),
  };
}

describe('stored Pareto front', () => {
  it('equals the recomputed front after 3,000 trials written by 16 concurrent writers in batches, and a retry changes nothing', async () => {
    const study = await createStudy(db, { config, source: 'client', trialsTotal: 3000 });
    const total = 3000;
    await insertTrials(db, study.id, Array.from({ length: total }, (_, number) => ({ number, params: { lr: 0.5 } })));
    const rng = new CounterRng(17, 3);
    // Coarse values make ties and exact duplicates common; every 50th trial fails.
    const results: TrialResult[] = Array.from({ length: total }, (_, number) => {
      if (number % 50 === 7) return { number, status: 'failed', value: null, error: 'diverged' };
      const values = [Math.round(rng.uniform() * 40) / 40, Math.round(rng.uniform() * 40) / 40, Math.round(rng.uniform() * 10)];
      return { number, status: 'completed', value: values[0], values };
    });
    const batches: TrialResult[][] = [];
    for (let i = 0; i < total; i += 12) batches.push(results.slice(i, i + 12));
    const writers = 16;
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let b = w; b < batches.length; b += writers) await recordMultiObjectiveResults(db, study.id, directions, batches[b]);
    }));

    const first = await storedAndRecomputed(study.id);
    expect(first.rows.filter((r) => r.status === 'failed')).toHaveLength(60);
    expect(first.rows.filter((r) => r.status === 'completed').every((r) => r.objectiveValues.length === 3 && r.value === r.objectiveValues[0])).toBe(true);
    expect(first.rows.filter((r) => r.status === 'failed').every((r) => r.objectiveValues.length === 0 && !r.onFront)).toBe(true);
    expect(first.stored.length).toBeGreaterThan(1);
    expect(first.stored).toEqual(first.recomputed);
    const row = await db.study.findUniqueOrThrow({ where: { id: study.id } });
    expect(row.trialsCompleted).toBe(total - 60);
    expect(row.bestValue).toBe(Math.min(...results.filter((r) => r.status === 'completed').map((r) => r.values![0])));

    // A retried activity (same results) and a late result with other values for a finished trial change nothing.
    expect(await recordMultiObjectiveResults(db, study.id, directions, batches[3])).toBe(0);
    const frontTrial = first.stored[0];
    expect(await recordMultiObjectiveResults(db, study.id, directions, [{ number: frontTrial, status: 'completed', value: 9, values: [9, 0, 99] }])).toBe(0);
    const again = await storedAndRecomputed(study.id);
    expect(again.stored).toEqual(first.stored);
    expect(again.rows).toEqual(first.rows);
  });

  it('a trial that dominates the whole front replaces it in one write', async () => {
    const study = await createStudy(db, { config: { ...config, name: 'mo-db 2' }, source: 'client', trialsTotal: 4 });
    await insertTrials(db, study.id, [0, 1, 2, 3].map((number) => ({ number, params: { lr: 0.1 } })));
    const r = (number: number, values: number[]): TrialResult => ({ number, status: 'completed', value: values[0], values });
    await recordMultiObjectiveResults(db, study.id, directions, [r(0, [1, 0.5, 5]), r(1, [2, 0.9, 3])]);
    expect((await storedAndRecomputed(study.id)).stored).toEqual([0, 1]);
    await recordMultiObjectiveResults(db, study.id, directions, [r(2, [0.5, 0.95, 1]), r(3, [0.5, 0.95, 1])]);
    const { stored, recomputed } = await storedAndRecomputed(study.id);
    expect(stored).toEqual([2, 3]);
    expect(recomputed).toEqual([2, 3]);
  });
});
