import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TEST_FUNCTIONS, ZStudyConfig, type NewTrial } from '@stepwise/core';
import { createDb, createStudy, markStudyRunning, recordTrialResults, type Db } from '@stepwise/db';
import { proposeTrials } from '../orchestrator/src/activities/propose-trials';

/**
 * The proposer's concurrency control on the real Postgres: no lock or transaction is held while
 * the optimizer computes, and concurrent proposers for one study still never record the same
 * point twice (the losers of a commit race recompute with the winners' trials as pending).
 */

let db: Db;
beforeAll(() => {
  db = createDb(inject('databaseUrl'), 8);
});
afterAll(async () => {
  await db.$disconnect();
});

async function newStudy(seed: number): Promise<string> {
  const config = ZStudyConfig.parse({
    name: `proposals ${seed}`, kind: 'bayesopt', objective: { type: 'function', function: 'branin' },
    budget: { trials: 40, parallel: 4 }, seed, bayesopt: { method: 'gp-logei', initialDesign: 6 },
  });
  const row = await createStudy(db, { config, source: 'client', trialsTotal: 40 });
  await markStudyRunning(db, row.id);
  return row.id;
}

async function complete(studyId: string, trials: NewTrial[]): Promise<void> {
  const branin = TEST_FUNCTIONS.branin;
  await recordTrialResults(db, studyId, 'minimize', trials.map((t) => ({
    number: t.number, status: 'completed' as const, value: branin.evaluate([Number(t.params.x1), Number(t.params.x2)]),
  })));
}

/** Sessions of this database holding an open transaction or an advisory lock right now. */
async function heldByOthers(): Promise<{ inTransaction: number; advisory: number }> {
  const [tx] = await db.$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS n FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`;
  const [locks] = await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory'`;
  return { inTransaction: Number(tx.n), advisory: Number(locks.n) };
}

describe('proposeTrials (optimistic commit)', () => {
  it('holds no transaction or lock while computing, and concurrent proposers never duplicate a point', async () => {
    const studyId = await newStudy(5);
    await complete(studyId, await proposeTrials(db, studyId, [0, 1, 2, 3, 4, 5]));

    // Four slots propose at once. Each waits after computing until all four have computed, so
    // all four read the same pending set and exactly one can win the first commit.
    const slots = [[6], [7], [8], [9]];
    const rounds = slots.map(() => 0);
    const seenWhileComputed: Array<{ inTransaction: number; advisory: number }> = [];
    let arrived = 0;
    let release!: () => void;
    const allComputed = new Promise<void>((r) => (release = r));
    const proposals = await Promise.all(slots.map((numbers, i) => proposeTrials(db, studyId, numbers, {
      beforeCommit: async (round) => {
        rounds[i] = round + 1;
        if (round > 0) return;
        if (++arrived === slots.length) {
          seenWhileComputed.push(await heldByOthers());
          release();
        }
        await allComputed;
      },
    })));

    expect(seenWhileComputed).toEqual([{ inTransaction: 0, advisory: 0 }]);
    expect(proposals.map((p) => p.map((t) => t.number))).toEqual(slots);
    // One proposer committed on its first round; every other one lost it and recomputed.
    expect(rounds.filter((r) => r === 1)).toHaveLength(1);
    expect(rounds.filter((r) => r > 1)).toHaveLength(3);
    const rows = await db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' } });
    expect(rows.map((r) => r.number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(rows.map((r) => JSON.stringify(r.params))).size).toBe(10);
    // The later proposals saw the earlier ones as pending.
    const pendingSeen = rows.slice(6).map((r) => (r.proposal as { pending: number }).pending).sort();
    expect(pendingSeen).toEqual([0, 1, 2, 3]);
  });

  it('is idempotent: a retried call returns the recorded rows and writes nothing', async () => {
    const studyId = await newStudy(8);
    const first = await proposeTrials(db, studyId, [0, 1, 2]);
    let computed = 0;
    const again = await proposeTrials(db, studyId, [0, 1, 2], { beforeCommit: async () => void computed++ });
    expect(again).toEqual(first.map(({ number, params }) => ({ number, params })));
    expect(computed).toBe(0);
    expect(await db.trial.count({ where: { studyId } })).toBe(3);
  });
});
