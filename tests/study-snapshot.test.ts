import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { createCaller, createContext } from '../web/src/server/router';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';
import { fieldsOf, trpcError } from './support/trpc-errors';

/**
 * studies.snapshot and studies.setNotes through the tRPC procedures, over the real service
 * (Postgres, Temporal, the orchestrator): while a study runs, every snapshot agrees with itself
 * (the header's counts and best trial are those of its own rows); notes past the text limits are
 * refused naming the field and change nothing.
 */
const w = testWorkerEnv('snapshot');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w, 'snapshot-orch'), startCompute(w, 'snapshot-compute')])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

const caller = () => createCaller(createContext({ service, requiredToken: null, token: null }));

describe('studies.snapshot', () => {
  it('reads the study and its trials together: counts and the best trial match the rows, poll after poll', async () => {
    const study = await caller().studies.launch({
      config: { name: 'snapshot live', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 60, parallel: 4 }, seed: 5 },
    });
    let polls = 0;
    for (;;) {
      const snap = await caller().studies.snapshot({ id: study.id, trials: { limit: 500, sort: 'number', order: 'asc' } });
      const rows = snap.trials.items;
      const completed = rows.filter((t) => t.status === 'completed');
      expect(snap.trials.total).toBe(rows.length);
      expect(snap.study.trialsCompleted).toBe(completed.length);
      expect(snap.study.trialsRunning).toBe(rows.filter((t) => t.status === 'running').length);
      if (snap.study.bestTrialNumber !== null) {
        const best = rows.find((t) => t.number === snap.study.bestTrialNumber);
        expect(best?.status).toBe('completed');
        expect(best?.value).toBe(snap.study.bestValue);
        expect(Math.min(...completed.map((t) => t.value!))).toBe(snap.study.bestValue);
      }
      polls++;
      if (snap.study.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(polls).toBeGreaterThan(1);
    await waitForStatus(service, study.id, ['completed']);
  });

  it('answers an unknown study with NOT_FOUND', async () => {
    const err = await trpcError(caller().studies.snapshot({ id: '00000000-0000-4000-8000-000000000000' }));
    expect(err.code).toBe('NOT_FOUND');
  });
});

describe('studies.setNotes', () => {
  it('stores notes, refuses ones past the text limits naming the field and keeps the old ones', async () => {
    const study = await caller().studies.launch({
      config: { name: 'snapshot notes', kind: 'grid', objective: { type: 'function', function: 'branin' }, budget: { trials: 4, parallel: 2 }, seed: 1 },
    });
    expect(await caller().studies.setNotes({ id: study.id, notes: 'first look: x1 matters' })).toEqual({ id: study.id, notes: 'first look: x1 matters' });

    const tooLong = await trpcError(caller().studies.setNotes({ id: study.id, notes: 'x'.repeat(10_001) }));
    expect(tooLong.code).toBe('BAD_REQUEST');
    expect(fieldsOf(tooLong)).toEqual(['notes']);
    expect(tooLong.message).toMatch(/notes: at most 10000 characters/);
    const control = await trpcError(caller().studies.setNotes({ id: study.id, notes: 'bell \u0007' }));
    expect(fieldsOf(control)).toEqual(['notes']);
    expect((await db.study.findUnique({ where: { id: study.id } }))?.notes).toBe('first look: x1 matters');

    expect((await caller().studies.snapshot({ id: study.id })).notes).toBe('first look: x1 matters');
    await caller().studies.setNotes({ id: study.id, notes: '   ' });
    expect((await db.study.findUnique({ where: { id: study.id } }))?.notes).toBeNull();
    await waitForStatus(service, study.id, ['completed']);
  });
});
