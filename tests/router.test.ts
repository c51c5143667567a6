import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TStudyConfigInput } from '@stepwise/core';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { createCaller, createContext } from '../web/src/server/router';
import { waitFor, type ManagedProcess } from '../infra/stack/processes';
import { readEvaluateState } from '../web/src/lib/evaluate';
import { variesNfe } from '../web/src/lib/nfe';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';
import { fieldsOf, trpcError } from './support/trpc-errors';

/**
 * The tRPC procedures called in-process (createCaller) against the real service: Postgres, the
 * Temporal dev server and real worker processes. Input the procedures refuse must leave no row
 * behind; what the service answers is what the dashboard and the CLI get.
 */
const w = testWorkerEnv('router');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  live.push(...(await Promise.all([startOrchestrator(w, 'router-orch'), startCompute(w, 'router-compute', { STEPWISE_MODEL_DIR: '.data/test/models' })])));
  ({ service, db, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

const caller = (opts: { requiredToken?: string | null; token?: string | null; headers?: Headers } = {}) =>
  createCaller(createContext({ service, requiredToken: opts.requiredToken ?? null, token: opts.token ?? null, headers: opts.headers }));

/** Untyped input, as a YAML file or a hand-written HTTP call would send it. */
const raw = (v: unknown) => v as TStudyConfigInput;

const validConfig = (name: string, trials = 12, parallel = 4): TStudyConfigInput => ({
  name,
  kind: 'random',
  objective: { type: 'function', function: 'branin' },
  budget: { trials, parallel },
  seed: 1,
});

const studiesNamed = (name: string) => db.study.count({ where: { name } });

describe('studies.launch', () => {
  it('rejects an invalid config with BAD_REQUEST naming the field, and writes nothing', async () => {
    const name = 'router too parallel';
    const err = await trpcError(caller().studies.launch({ config: raw({ ...validConfig(name), budget: { trials: 10, parallel: 5000 } }) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^budget\.parallel: Too big: expected number to be <=1024/);
    expect(await studiesNamed(name)).toBe(0);
  });

  it('reports every broken field at once, with config-relative paths', async () => {
    const err = await trpcError(
      caller().studies.launch({ config: raw({ ...validConfig('x'), name: '', objective: { type: 'function', function: 'nope' }, budget: { trials: 0 } }) }),
    );
    expect(fieldsOf(err).sort()).toEqual(['budget.trials', 'name', 'objective.function']);
  });

  it('refuses names with NUL or unpaired surrogates', async () => {
    const before = await db.study.count();
    expect(fieldsOf(await trpcError(caller().studies.launch({ config: raw({ ...validConfig('x'), name: 'x\ud800' }) })))).toEqual(['name']);
    expect(fieldsOf(await trpcError(caller().studies.launch({ config: raw({ ...validConfig('x'), name: 'a\0b' }) })))).toEqual(['name']);
    expect(await db.study.count()).toBe(before);
  });

  it('launches a valid config with defaults applied and the given source, and runs it to completion', async () => {
    const c = caller();
    const study = await c.studies.launch({ config: validConfig('router smoke'), source: 'dashboard' });
    expect(study).toMatchObject({ name: 'router smoke', source: 'dashboard', trialsTotal: 12 });
    const detail = await c.studies.get({ id: study.id });
    expect(detail.config.objective).toMatchObject({ noiseStd: 0, direction: 'minimize' });
    await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled']);
    const done = await c.studies.get({ id: study.id });
    expect(done).toMatchObject({ status: 'completed', trialsCompleted: 12, trialsFailed: 0 });
    expect(done.bestSoFar).toHaveLength(12);
    expect(done.bestTrial).toMatchObject({ number: done.bestTrialNumber, value: done.bestValue });
  });
});

describe('studies.get / cancel / list', () => {
  it('answers NOT_FOUND naming the id for an unknown study', async () => {
    for (const id of ['missing', '00000000-0000-4000-8000-000000000000']) {
      const err = await trpcError(caller().studies.get({ id }));
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toContain(id);
    }
  });

  it('lists studies newest first and pages through them with the cursor', async () => {
    const c = caller();
    const launched = [];
    for (let i = 0; i < 3; i++) launched.push(await c.studies.launch({ config: validConfig(`router page ${i}`, 2, 2) }));
    const first = await c.studies.list({ limit: 2 });
    expect(first.items.map((s) => s.name)).toEqual(['router page 2', 'router page 1']);
    expect(first.nextCursor).not.toBeNull();
    const second = await c.studies.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items[0].name).toBe('router page 0');
    for (const s of launched) await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled']);
  });

  it('cancels a running study and closes its open trials', async () => {
    const c = caller();
    const s = await c.studies.launch({ config: validConfig('router cancel', 5000, 2) });
    const cancelled = await c.studies.cancel({ id: s.id });
    expect(cancelled.status).toBe('cancelled');
    expect(await db.trial.count({ where: { studyId: s.id, status: { in: ['pending', 'running'] } } })).toBe(0);
    // Idempotent: a second cancel returns the finished study unchanged.
    expect((await c.studies.cancel({ id: s.id })).status).toBe('cancelled');
  });

  it('refuses to pause a finished study, naming the field', async () => {
    const c = caller();
    const s = await c.studies.launch({ config: validConfig('router pause finished', 5000, 2) });
    await c.studies.cancel({ id: s.id });
    const err = await trpcError(c.studies.pause({ id: s.id }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(fieldsOf(err)).toEqual(['id']);
  });
});

describe('studies.get → strategy', () => {
  const evaluateConfig: TStudyConfigInput = {
    name: 'router race',
    kind: 'evaluate',
    objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 32, maxSamples: 256, blockSize: 32 } },
    candidates: [
      { preset: 'ddim', nfe: 4 },
      { preset: 'ddim', nfe: 40 },
      { preset: 'dpmpp-2m', nfe: 10 },
      { preset: 'dpmpp-2m', nfe: 40 },
    ],
    holdout: { start: 10_000, size: 128 },
    budget: { trials: 4, parallel: 4 },
    seed: 1,
  };

  it('is null for a study without strategy state', async () => {
    const c = caller();
    const s = await c.studies.launch({ config: validConfig('router no strategy', 4, 2) });
    await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled']);
    expect((await c.studies.get({ id: s.id })).strategy).toBeNull();
  });

  it("shows an evaluate study's ranking on the holdout once it has finished", async () => {
    const c = caller();
    const s = await c.studies.launch({ config: evaluateConfig });
    expect(s.trialsTotal).toBe(4);
    expect((await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
    const done = await c.studies.get({ id: s.id });
    const final = readEvaluateState(done.strategy);
    if (final?.phase !== 'done') throw new Error(`expected a summary, got ${JSON.stringify(done.strategy)}`);
    const { summary } = final;
    expect(summary.source).toBe('holdout');
    expect(summary.ranking).toHaveLength(4);
    expect(summary.ranking[0].vsBest).toBeNull();
    // Ranked by mean; the study's best trial is the top of the ranking.
    const means = summary.ranking.map((r) => r.mean);
    expect([...means].sort((a, b) => a - b)).toEqual(means);
    expect(done.bestTrialNumber).toBe(summary.ranking[0].number);
    const trials = await c.trials.list({ studyId: s.id, limit: 10 });
    expect(trials.items.map((t) => t.params)).toEqual(evaluateConfig.candidates);
    expect(variesNfe(done.config)).toBe(true);
  });
});

describe('trials.list', () => {
  it('validates pagination input before asking the service', async () => {
    for (const bad of [{ limit: 0 }, { limit: 501 }, { limit: 2.5 }, { sort: 'params' }, { order: 'up' }, { status: 'done' }]) {
      const err = await trpcError(caller().trials.list({ studyId: 's', ...(bad as object) }));
      expect(err.code, JSON.stringify(bad)).toBe('BAD_REQUEST');
      const field = Object.keys(bad)[0];
      expect(err.message.startsWith(`${field}: `), err.message).toBe(true);
      expect(fieldsOf(err)[0]).toBe(field);
    }
  });

  it('pages through every trial exactly once, sorted by value descending, and filters by status', async () => {
    const c = caller();
    const s = await c.studies.launch({ config: validConfig('router trials', 23, 8) });
    await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled']);
    const seen: number[] = [];
    const values: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof c.trials.list>> = await c.trials.list({ studyId: s.id, limit: 5, sort: 'value', order: 'desc', cursor });
      expect(page.total).toBe(23);
      seen.push(...page.items.map((t) => t.number));
      values.push(...page.items.map((t) => t.value!));
      cursor = page.nextCursor;
    } while (cursor);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect((await c.trials.list({ studyId: s.id, status: 'completed' })).total).toBe(23);
    expect((await c.trials.list({ studyId: s.id, status: 'running' })).total).toBe(0);
  });

  it('answers a cursor that does not parse with BAD_REQUEST on "cursor"', async () => {
    const c = caller();
    const s = await c.studies.launch({ config: validConfig('router bad cursor', 2, 2) });
    const err = await trpcError(c.trials.list({ studyId: s.id, cursor: 'not-a-cursor' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(fieldsOf(err)).toEqual(['cursor']);
    await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled']);
  });
});

describe('schedules', () => {
  const schedulesNamed = (name: string) => db.rerunSchedule.count({ where: { name } });

  it('requires exactly one of cron or intervalSeconds', async () => {
    const both = await trpcError(caller().schedules.create({ name: 'router both', cron: '0 3 * * *', intervalSeconds: 60, template: validConfig('t') }));
    expect(both.code).toBe('BAD_REQUEST');
    expect(both.message).toContain('cron: give exactly one of cron or intervalSeconds');
    const none = await trpcError(caller().schedules.create({ name: 'router none', template: validConfig('t') }));
    expect(none.code).toBe('BAD_REQUEST');
    expect(await schedulesNamed('router both')).toBe(0);
    expect(await schedulesNamed('router none')).toBe(0);
  });

  it('validates the template and names fields under "template."', async () => {
    const err = await trpcError(caller().schedules.create({ name: 'router bad template', intervalSeconds: 60, template: raw({ ...validConfig('t'), budget: { trials: -1 } }) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^template\.budget\.trials: /);
    expect(await schedulesNamed('router bad template')).toBe(0);
  });

  it('refuses a cron expression Temporal would choke on, naming the field and an example; normalises a good one', async () => {
    for (const cron of ['60 * * * *', '0 0 * * 7', '@daily', '*/0 * * * *', '0 0 ? * *']) {
      const err = await trpcError(caller().schedules.create({ name: 'router bad cron', cron, template: validConfig('t') }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual(['cron']);
      expect(err.message).toContain('e.g. "0 3 * * *"');
    }
    expect(await schedulesNamed('router bad cron')).toBe(0);
    const created = await caller().schedules.create({ name: 'router cron', cron: ' 0  3 * * * ', template: validConfig('t'), paused: true });
    expect(created.spec).toEqual({ cron: '0 3 * * *', seedPolicy: 'increment' });
    await caller().schedules.delete({ id: created.id });
  });

  it('refuses names with NUL', async () => {
    expect(fieldsOf(await trpcError(caller().schedules.create({ name: 'a\0b', intervalSeconds: 60, template: validConfig('t') })))).toEqual(['name']);
  });

  it('creates, pauses, unpauses, triggers and deletes a schedule', async () => {
    const c = caller();
    const created = await c.schedules.create({ name: 'router nightly', cron: '0 3 * * *', template: validConfig('router scheduled', 2, 2), paused: true });
    expect(created).toMatchObject({ spec: { cron: '0 3 * * *' }, paused: true, studiesCreated: 0 });
    expect((await c.schedules.list()).map((s) => s.id)).toContain(created.id);
    expect((await c.schedules.unpause({ id: created.id })).paused).toBe(false);
    await c.schedules.trigger({ id: created.id });
    const study = await waitForScheduledStudy(created.id);
    expect((await c.schedules.pause({ id: created.id })).paused).toBe(true);
    expect(study).toMatchObject({ source: 'schedule', scheduleId: created.id });
    await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled']);
    expect(await c.schedules.delete({ id: created.id })).toEqual({ id: created.id });
    expect((await c.schedules.list()).map((s) => s.id)).not.toContain(created.id);
    expect((await trpcError(c.schedules.trigger({ id: created.id }))).code).toBe('NOT_FOUND');
  });
});

async function waitForScheduledStudy(scheduleId: string) {
  let found: { id: string; source: string; scheduleId: string | null } | null = null;
  await waitFor(`a study from schedule ${scheduleId}`, async () => {
    found = await db.study.findFirst({ where: { scheduleId }, select: { id: true, source: true, scheduleId: true } });
    return found !== null;
  }, 60_000, 200);
  return found!;
}

describe('authentication', () => {
  it('leaves the API open when no token is configured', async () => {
    await expect(caller({ requiredToken: null }).studies.list()).resolves.toHaveProperty('items');
  });

  it('refuses a missing or wrong token with UNAUTHORIZED on every router, before looking at the input', async () => {
    for (const token of [null, 's3cre']) {
      const c = caller({ requiredToken: 's3cret', token });
      for (const call of [
        () => c.studies.list(),
        () => c.trials.list({ studyId: 'x' }),
        () => c.schedules.list(),
        () => c.trials.blocks({ trialId: 'x' }),
        () => c.studies.surrogate({ studyId: '', x: '', y: '', resolution: -1 }),
        () => c.studies.parallel({ studyId: 'x' }),
      ]) {
        expect((await trpcError(call())).code).toBe('UNAUTHORIZED');
      }
      const name = `router unauthorized ${token}`;
      expect((await trpcError(c.studies.launch({ config: validConfig(name) }))).code).toBe('UNAUTHORIZED');
      expect(await studiesNamed(name)).toBe(0);
    }
  });

  it('accepts the right token from the Authorization header or the dashboard cookie', async () => {
    const viaHeader = createCaller(createContext({ service, requiredToken: 's3cret', headers: new Headers({ authorization: 'Bearer s3cret' }) }));
    const viaCookie = createCaller(createContext({ service, requiredToken: 's3cret', headers: new Headers({ cookie: 'a=b; stepwise_token=s3cret' }) }));
    await expect(viaHeader.studies.list()).resolves.toHaveProperty('items');
    await expect(viaCookie.schedules.list()).resolves.toBeInstanceOf(Array);
  });
});
