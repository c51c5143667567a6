import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ZStudyConfig } from '@stepwise/core';
import {
  bestSoFar, createDb, createStudy, finishStudy, getStudyRow, insertTrials, listTrialRows, migrate, recordTrialResults, type Db,
} from '@stepwise/db';
import { MigrationChecksumError } from '../prisma/src/migrate';
import { appendFileSync, cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: Db;
beforeAll(() => {
  db = createDb(inject('databaseUrl'));
});
afterAll(async () => {
  await db.$disconnect();
});

const config = ZStudyConfig.parse({
  name: 'db-test', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 10, parallel: 2 },
});

describe('migrations', () => {
  it('are recorded once and re-running is a no-op', async () => {
    const again = await migrate(inject('databaseUrl'));
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('refuse to continue when an applied migration file changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    cpSync(new URL('../prisma/migrations', import.meta.url).pathname, dir, { recursive: true });
    const first = readdirSync(dir).filter((d) => d !== 'migration_lock.toml').sort()[0];
    appendFileSync(join(dir, first, 'migration.sql'), '\n-- edited after the fact\n');
    await expect(migrate(inject('databaseUrl'), dir)).rejects.toBeInstanceOf(MigrationChecksumError);
  });
});

describe('trial writes', () => {
  it('are idempotent: inserting and recording twice counts once', async () => {
    const study = await createStudy(db, { config, source: 'client', trialsTotal: 10 });
    const trials = [0, 1, 2].map((number) => ({ number, params: { x1: number, x2: 1 } }));
    expect(await insertTrials(db, study.id, trials)).toBe(3);
    expect(await insertTrials(db, study.id, trials)).toBe(0);
    const results = [
      { number: 0, status: 'completed' as const, value: 5 },
      { number: 1, status: 'completed' as const, value: 2 },
      { number: 2, status: 'failed' as const, value: null, error: 'boom' },
    ];
    expect(await recordTrialResults(db, study.id, 'minimize', results)).toBe(3);
    expect(await recordTrialResults(db, study.id, 'minimize', results)).toBe(0);
    const row = await getStudyRow(db, study.id);
    expect(row).toMatchObject({ trialsCompleted: 2, trialsFailed: 1, bestValue: 2, bestTrialNumber: 1 });
  });

  it('finishing a study cancels every trial still running', async () => {
    const study = await createStudy(db, { config, source: 'client', trialsTotal: 10 });
    await insertTrials(db, study.id, [0, 1, 2, 3].map((number) => ({ number, params: { x1: 0, x2: 0 } })));
    await recordTrialResults(db, study.id, 'minimize', [{ number: 0, status: 'completed', value: 1 }]);
    await finishStudy(db, study.id, 'cancelled');
    const running = await db.trial.count({ where: { studyId: study.id, status: 'running' } });
    expect(running).toBe(0);
    expect(await getStudyRow(db, study.id)).toMatchObject({ status: 'cancelled', trialsCancelled: 3, trialsCompleted: 1 });
  });

  it('pages by value with a keyset cursor, visiting every trial once, NULLs last', async () => {
    const study = await createStudy(db, { config, source: 'client', trialsTotal: 50 });
    const n = 50;
    await insertTrials(db, study.id, Array.from({ length: n }, (_, number) => ({ number, params: { x1: number, x2: 0 } })));
    await recordTrialResults(
      db, study.id, 'minimize',
      Array.from({ length: 40 }, (_, number) => ({ number, status: 'completed' as const, value: (number * 7) % 13 })),
    );
    for (const order of ['asc', 'desc'] as const) {
      const seen: number[] = [];
      const values: Array<number | null> = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listTrialRows>> = await listTrialRows(db, { studyId: study.id, limit: 7, sort: 'value', order, cursor });
        expect(page.total).toBe(n);
        seen.push(...page.items.map((t) => t.number));
        values.push(...page.items.map((t) => t.value));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(n);
      const nonNull = values.filter((v): v is number => v !== null);
      expect(values.slice(nonNull.length).every((v) => v === null)).toBe(true);
      const sorted = [...nonNull].sort((a, b) => (order === 'asc' ? a - b : b - a));
      expect(nonNull).toEqual(sorted);
    }
  });
});

describe('best-so-far curve', () => {
  it('keeps every improvement and thins the rest to the point budget', async () => {
    const study = await createStudy(db, { config, source: 'client', trialsTotal: 300 });
    const values = Array.from({ length: 300 }, (_, i) => ((i * 37) % 101) + 1000 / (i + 1));
    await insertTrials(db, study.id, values.map((_, number) => ({ number, params: { x1: 0, x2: 0 } })));
    for (let i = 0; i < values.length; i += 50) {
      await recordTrialResults(db, study.id, 'minimize', values.slice(i, i + 50).map((value, k) => ({ number: i + k, status: 'completed' as const, value })));
    }
    const curve = await bestSoFar(db, study.id, 'minimize', 20);
    // Recompute in memory: the running minimum in completion order (finish time, then number).
    const finished = await db.trial.findMany({ where: { studyId: study.id }, orderBy: [{ finishedAt: 'asc' }, { number: 'asc' }] });
    let best = Infinity;
    const improvements = new Set<number>();
    for (const t of finished) if (t.value! < best) { best = t.value!; improvements.add(t.number); }
    const numbers = new Set(curve.map((p) => p.trialNumber));
    for (const n of improvements) expect(numbers.has(n)).toBe(true);
    expect(curve.length).toBeLessThanOrEqual(improvements.size + 20 + 1);
    expect(curve.at(-1)).toMatchObject({ trialNumber: finished.at(-1)!.number, best });
    for (let i = 1; i < curve.length; i++) expect(curve[i].best).toBeLessThanOrEqual(curve[i - 1].best);
  });
});
