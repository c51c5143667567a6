import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { createCaller, createContext } from '../web/src/server/router';
import { connectService } from './support/service';
import { testWorkerEnv } from './support/workers';
import { trpcError } from './support/trpc-errors';

/**
 * Issue #13, fault 2: a malformed id is a plain not-found at once (never Postgres' "invalid input
 * syntax for type uuid"), and a unique prefix works as git's does, through every call that takes
 * an id. Rows are written with chosen ids so that two of them share a prefix.
 */
const w = testWorkerEnv('ids');
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
const caller = () => createCaller(createContext({ service, requiredToken: null, token: null }));

// A prefix no other row has: 8 random hex digits, then ids that differ only after them.
const stem = randomBytes(4).toString('hex');
const idA = `${stem}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`;
const idB = `${stem}-bbbb-4bbb-8bbb-bbbbbbbbbbbb`;

beforeAll(async () => {
  ({ service, db, close } = await connectService(w));
  for (const [id, name] of [[idA, 'ids a'], [idB, 'ids b']]) {
    await db.study.create({
      data: {
        id, name, kind: 'random', status: 'completed', source: 'client', metric: 'value', direction: 'minimize', trialsTotal: 1,
        config: { name, kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 1 } },
      },
    });
  }
});

afterAll(async () => {
  await db?.study.deleteMany({ where: { id: { in: [idA, idB] } } });
  await close?.();
});

describe('ids', () => {
  it.each(['foo', '12', "x'; drop table study; --", `${stem}-zz`, '0000'])('"%s" is not found, with what an id looks like', async (id) => {
    const err = await trpcError(caller().studies.get({ id }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/^study ".*" not found \(ids are UUIDs .*a unique prefix of 4 or more hex digits works too\)$/);
    expect(err.message).not.toMatch(/invalid input syntax|Prisma/);
  });

  it('every call that takes a study id answers a malformed one with NOT_FOUND', async () => {
    const calls = [
      caller().studies.cancel({ id: 'foo' }), caller().studies.pause({ id: 'foo' }), caller().studies.resume({ id: 'foo' }),
      caller().trials.list({ studyId: 'foo' }), caller().schedules.trigger({ id: 'foo' }), caller().schedules.pause({ id: 'foo' }),
      caller().schedules.delete({ id: 'foo' }),
    ];
    for (const call of calls) expect((await trpcError(call)).code).toBe('NOT_FOUND');
  });

  it('a unique prefix names its study, in any case and with or without dashes', async () => {
    for (const prefix of [`${stem}-a`, `${stem}aa`.toUpperCase(), `${stem}-aaaa-4`]) {
      const s = await caller().studies.get({ id: prefix });
      expect(s.id).toBe(idA);
    }
    expect((await caller().studies.get({ id: idB })).name).toBe('ids b');
    const page = await caller().trials.list({ studyId: `${stem}-b` });
    expect(page.items).toEqual([]);
  });

  it('an ambiguous prefix is refused with every candidate listed', async () => {
    const err = await trpcError(caller().studies.get({ id: stem }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain(`id: "${stem}" is the start of more than one study id`);
    expect(err.message).toContain(`${idA} (ids a)`);
    expect(err.message).toContain(`${idB} (ids b)`);
  });
});
