import { describe, expect, it } from 'vitest';
import type { TStudyConfigInput } from '@stepwise/core';
import { createCaller, createContext } from './router';
import { InMemoryStepwiseService } from './testing/fake-service';
import type { TRPCError } from '@trpc/server';
import { routerFixture, trpcError } from './testing/caller';

/** Untyped input, as a YAML file or a hand-written HTTP call would send it. */
const raw = (v: unknown) => v as TStudyConfigInput;

const validConfig: TStudyConfigInput = {
  name: 'branin smoke',
  kind: 'random',
  objective: { type: 'function', function: 'branin' },
  budget: { trials: 20, parallel: 4 },
  seed: 1,
};

const setup = routerFixture;
const fieldsOf = (err: TRPCError) => (err.cause as unknown as { issues: Array<{ field: string }> }).issues.map((i) => i.field);


describe('studies.launch', () => {
  it('rejects an invalid config with BAD_REQUEST naming the field, and never reaches the service', async () => {
    const { service, caller } = setup();
    const err = await trpcError(caller.studies.launch({ config: raw({ ...validConfig, budget: { trials: 10, parallel: 5000 } }) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^budget\.parallel: Too big: expected number to be <=1024/);
    expect(service.calls.filter((c) => c.method === 'launchStudy')).toHaveLength(0);
  });

  it('reports every broken field at once, with config-relative paths', async () => {
    const { caller } = setup();
    const err = await trpcError(
      caller.studies.launch({ config: raw({ ...validConfig, name: '', objective: { type: 'function', function: 'nope' }, budget: { trials: 0 } }) }),
    );
    const cause = err.cause as unknown as { issues: Array<{ field: string }> };
    const fields = cause.issues.map((i) => i.field).sort();
    expect(fields).toEqual(['budget.trials', 'name', 'objective.function']);
  });

  it('maps a ValidationError thrown by the service itself to BAD_REQUEST with its issues', async () => {
    const { service, caller } = setup();
    service.launchStudy = async () => {
      const { ValidationError } = await import('@stepwise/orchestrator/service-types');
      throw new ValidationError([{ field: 'objective.function', message: 'no worker serves this function' }]);
    };
    const err = await trpcError(caller.studies.launch({ config: validConfig }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('objective.function: no worker serves this function');
  });

  it('launches a valid config with defaults applied and the given source', async () => {
    const { service, caller } = setup();
    const study = await caller.studies.launch({ config: validConfig, source: 'dashboard' });
    expect(study.name).toBe('branin smoke');
    expect(study.source).toBe('dashboard');
    const call = service.calls.find((c) => c.method === 'launchStudy')!;
    const arg = call.args[0] as { config: { objective: { noiseStd: number; direction: string } } };
    expect(arg.config.objective).toMatchObject({ noiseStd: 0, direction: 'minimize' });
  });
});

describe('studies.get / cancel / list', () => {
  it('answers NOT_FOUND for an unknown study', async () => {
    const { caller } = setup();
    const err = await trpcError(caller.studies.get({ id: 'missing' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('missing');
  });

  it('lists studies with progress and pages through them with the cursor', async () => {
    const { caller, now } = setup();
    for (let i = 0; i < 5; i++) {
      await caller.studies.launch({ config: { ...validConfig, name: `s${i}` } });
      now.t += 1;
    }
    now.t += 250; // 4 parallel × 2 rounds of 100 ms done → 8 of 20 trials
    const first = await caller.studies.list({ limit: 3 });
    expect(first.items.map((s) => s.name)).toEqual(['s4', 's3', 's2']);
    expect(first.items[0].progress).toBeCloseTo(8 / 20);
    const second = await caller.studies.list({ limit: 3, cursor: first.nextCursor });
    expect(second.items.map((s) => s.name)).toEqual(['s1', 's0']);
    expect(second.nextCursor).toBeNull();
  });

  it('cancels a running study', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: validConfig });
    now.t += 150;
    const cancelled = await caller.studies.cancel({ id: s.id });
    expect(cancelled.status).toBe('cancelled');
  });
});

describe('authentication', () => {
  it('leaves the API open when no token is configured', async () => {
    const { caller } = setup({ requiredToken: null });
    await expect(caller.studies.list()).resolves.toMatchObject({ items: [] });
  });

  it('refuses a missing token with UNAUTHORIZED on every router', async () => {
    const { caller } = setup({ requiredToken: 's3cret' });
    for (const call of [() => caller.studies.list(), () => caller.trials.list({ studyId: 'x' }), () => caller.schedules.list()]) {
      expect((await trpcError(call())).code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a wrong token, even before looking at the input', async () => {
    const { service, caller } = setup({ requiredToken: 's3cret', token: 's3cre' });
    const err = await trpcError(caller.studies.launch({ config: raw({ bogus: true }) }));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(service.calls).toHaveLength(0);
  });

  it('accepts the right token from the Authorization header or the dashboard cookie', async () => {
    const service = new InMemoryStepwiseService();
    const viaHeader = createCaller(createContext({ service, requiredToken: 's3cret', headers: new Headers({ authorization: 'Bearer s3cret' }) }));
    const viaCookie = createCaller(createContext({ service, requiredToken: 's3cret', headers: new Headers({ cookie: 'a=b; stepwise_token=s3cret' }) }));
    await expect(viaHeader.studies.list()).resolves.toBeDefined();
    await expect(viaCookie.schedules.list()).resolves.toEqual([]);
  });

  it('reads the required token from STEPWISE_API_TOKEN by default', async () => {
    const before = process.env.STEPWISE_API_TOKEN;
    process.env.STEPWISE_API_TOKEN = 'from-env';
    try {
      const service = new InMemoryStepwiseService();
      expect((await trpcError(createCaller(createContext({ service })).studies.list())).code).toBe('UNAUTHORIZED');
      await expect(createCaller(createContext({ service, token: 'from-env' })).studies.list()).resolves.toBeDefined();
    } finally {
      if (before === undefined) delete process.env.STEPWISE_API_TOKEN;
      else process.env.STEPWISE_API_TOKEN = before;
    }
  });
});

describe('trials.list', () => {
  it('validates pagination input', async () => {
    const { service, caller } = setup();
    for (const bad of [{ limit: 0 }, { limit: 501 }, { limit: 2.5 }, { sort: 'params' }, { order: 'up' }, { status: 'done' }]) {
      const err = await trpcError(caller.trials.list({ studyId: 's', ...(bad as object) }));
      expect(err.code, JSON.stringify(bad)).toBe('BAD_REQUEST');
      const field = Object.keys(bad)[0];
      expect(err.message.startsWith(`${field}: `), err.message).toBe(true);
      expect((err.cause as unknown as { issues: Array<{ field: string }> }).issues[0].field).toBe(field);
    }
    expect(service.calls.filter((c) => c.method === 'listTrials')).toHaveLength(0);
  });

  it('pages through every trial exactly once, sorted by value descending', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: { ...validConfig, budget: { trials: 23, parallel: 23 } } });
    now.t += 1000;
    const seen: number[] = [];
    const values: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof caller.trials.list>> = await caller.trials.list({ studyId: s.id, limit: 5, sort: 'value', order: 'desc', cursor });
      expect(page.total).toBe(23);
      seen.push(...page.items.map((t) => t.number));
      values.push(...page.items.map((t) => t.value!));
      cursor = page.nextCursor;
    } while (cursor);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(values).toEqual([...values].sort((a, b) => b - a));
  });

  it('filters by status', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: { ...validConfig, budget: { trials: 10, parallel: 2 } } });
    now.t += 250; // rounds 0,1 completed, round 2 running
    const running = await caller.trials.list({ studyId: s.id, status: 'running' });
    expect(running.items.map((t) => t.number)).toEqual([4, 5]);
    const completed = await caller.trials.list({ studyId: s.id, status: 'completed' });
    expect(completed.total).toBe(4);
  });
});

describe('schedules', () => {
  it('requires exactly one of cron or intervalSeconds', async () => {
    const { caller } = setup();
    const both = await trpcError(caller.schedules.create({ name: 'n', cron: '0 3 * * *', intervalSeconds: 60, template: validConfig }));
    expect(both.code).toBe('BAD_REQUEST');
    expect(both.message).toContain('cron: give exactly one of cron or intervalSeconds');
    const none = await trpcError(caller.schedules.create({ name: 'n', template: validConfig }));
    expect(none.code).toBe('BAD_REQUEST');
  });

  it('validates the template and names fields under "template."', async () => {
    const { service, caller } = setup();
    const err = await trpcError(caller.schedules.create({ name: 'n', intervalSeconds: 60, template: raw({ ...validConfig, budget: { trials: -1 } }) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^template\.budget\.trials: /);
    expect(service.calls.filter((c) => c.method === 'createSchedule')).toHaveLength(0);
  });

  it("renames the service's spec.* issues to the procedure's own cron / intervalSeconds fields", async () => {
    const { service, caller } = setup();
    const { ValidationError } = await import('@stepwise/orchestrator/service-types');
    service.createSchedule = async () => {
      throw new ValidationError([{ field: 'spec.cron', message: 'not a cron expression' }, { field: 'template.seed', message: 'too big' }]);
    };
    const err = await trpcError(caller.schedules.create({ name: 'n', cron: '1 * * * *', template: validConfig }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('cron: not a cron expression; template.seed: too big');
  });

  it('refuses a cron expression Temporal would choke on, naming the field, the range and an example, before the service', async () => {
    const { service, caller } = setup();
    for (const cron of ['60 * * * *', '0 0 * * 7', '@daily', '*/0 * * * *', '0 0 ? * *']) {
      const err = await trpcError(caller.schedules.create({ name: 'n', cron, template: validConfig }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual(['cron']);
      expect(err.message).toContain('e.g. "0 3 * * *"');
    }
    expect((await trpcError(caller.schedules.create({ name: 'n', cron: '60 * * * *', template: validConfig }))).message).toMatch(/^cron: minute value 60 is out of range 0-59/);
    expect(service.calls.filter((c) => c.method === 'createSchedule')).toHaveLength(0);
    const created = await caller.schedules.create({ name: 'n', cron: ' 0  3 * * * ', template: validConfig });
    expect(created.spec).toEqual({ cron: '0 3 * * *' });
  });

  it('refuses names with NUL or unpaired surrogates', async () => {
    const { service, caller } = setup();
    expect(fieldsOf(await trpcError(caller.schedules.create({ name: 'a\0b', intervalSeconds: 60, template: validConfig })))).toEqual(['name']);
    expect(fieldsOf(await trpcError(caller.studies.launch({ config: raw({ ...validConfig, name: 'x\ud800' }) })))).toEqual(['name']);
    expect(service.calls.filter((c) => c.method === 'createSchedule' || c.method === 'launchStudy')).toHaveLength(0);
  });

  it('creates, pauses, unpauses, triggers and deletes a schedule', async () => {
    const { caller } = setup();
    const created = await caller.schedules.create({ name: 'nightly', cron: '0 3 * * *', template: validConfig });
    expect(created.spec).toEqual({ cron: '0 3 * * *' });
    expect((await caller.schedules.pause({ id: created.id })).paused).toBe(true);
    expect((await caller.schedules.unpause({ id: created.id })).paused).toBe(false);
    expect((await caller.schedules.trigger({ id: created.id })).studiesCreated).toBe(1);
    const studies = await caller.studies.list();
    expect(studies.items[0]).toMatchObject({ source: 'schedule', scheduleId: created.id });
    await caller.schedules.delete({ id: created.id });
    expect(await caller.schedules.list()).toEqual([]);
    expect((await trpcError(caller.schedules.trigger({ id: created.id }))).code).toBe('NOT_FOUND');
  });
});
