import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import type { TStudyConfigInput } from '@stepwise/core';
import { routerFixture, trpcError } from './testing/caller';

// trials.blocks, studies.surrogate, studies.parallel and the proposal / interval fields, against
// the in-memory service (trial i of a study with parallelism p runs during
// [floor(i/p)·100, floor(i/p)·100 + 100) ms after launch).

const noisy: TStudyConfigInput = {
  name: 'noisy levy',
  kind: 'random',
  objective: { type: 'function', function: 'levy', dim: 3, noiseStd: 0.5 },
  budget: { trials: 12, parallel: 4 },
  seed: 5,
};

const bayesopt: TStudyConfigInput = {
  name: 'bo branin',
  kind: 'bayesopt',
  objective: { type: 'function', function: 'branin' },
  budget: { trials: 24, parallel: 4 },
  bayesopt: { method: 'gp-ucb', initialDesign: 6 },
  seed: 2,
};

const withCategorical: TStudyConfigInput = {
  name: 'cmd',
  kind: 'random',
  objective: { type: 'command', program: 'train-tiny', metric: 'loss' },
  space: [
    { type: 'float', name: 'lr', low: 1e-4, high: 1e-1, log: true },
    { type: 'int', name: 'width', low: 8, high: 64 },
    { type: 'categorical', name: 'act', choices: ['relu', 'gelu', true] },
  ],
  budget: { trials: 40, parallel: 8 },
  seed: 1,
};

const setup = routerFixture;


const fieldsOf = (err: TRPCError) => (err.cause as unknown as { issues: Array<{ field: string }> }).issues.map((i) => i.field);

describe('trial intervals and proposals', () => {
  it('lists noisy trials with value, stderr, a CI around the value and n', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: noisy });
    now.t += 1000;
    const page = await caller.trials.list({ studyId: s.id, status: 'completed' });
    expect(page.total).toBe(12);
    for (const t of page.items) {
      expect(t.n).toBe(32);
      expect(t.ciLow!).toBeLessThan(t.value!);
      expect(t.ciHigh!).toBeGreaterThan(t.value!);
      expect(t.stderr!).toBeGreaterThan(0);
      expect(t.proposal).toBeNull();
    }
    const study = await caller.studies.get({ id: s.id });
    expect(study.bestTrial).toMatchObject({ number: study.bestTrialNumber, n: 32 });
  });

  it('labels bayesopt trials initial for the design, then acquisition with a value', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: bayesopt });
    now.t += 1000;
    const page = await caller.trials.list({ studyId: s.id, limit: 24 });
    const kinds = page.items.map((t) => t.proposal?.kind);
    expect(kinds.slice(0, 6)).toEqual(Array(6).fill('initial'));
    expect(new Set(kinds.slice(6))).toEqual(new Set(['acquisition']));
    expect(page.items[10].proposal).toMatchObject({ method: 'gp-ucb', observations: 8, pending: 2 });
    expect(typeof page.items[10].proposal!.acquisitionValue).toBe('number');
  });
});

describe('trials.blocks', () => {
  it('returns the blocks in order with the running estimate, ending at the trial value', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: noisy });
    now.t += 1000;
    const trial = (await caller.trials.list({ studyId: s.id, limit: 1 })).items[0];
    const r = await caller.trials.blocks({ trialId: trial.id });
    expect(r).toMatchObject({ trialId: trial.id, studyId: s.id, number: 0, status: 'completed', confidence: 0.95 });
    expect(r.blocks.map((b) => b.blockIndex)).toEqual([0, 1, 2, 3]);
    expect(r.blocks.map((b) => b.n)).toEqual([8, 16, 24, 32]);
    expect(r.blocks.map((b) => [b.seedStart, b.seedEnd])).toEqual([[0, 8], [8, 16], [16, 24], [24, 32]]);
    const last = r.blocks[3];
    expect(last.mean).toBeCloseTo(trial.value!, 12);
    expect(last.ciLow).toBeCloseTo(trial.ciLow!, 12);
    expect(last.ciHigh).toBeCloseTo(trial.ciHigh!, 12);
    // The merged mean is the sample-weighted mean of the block means.
    expect(last.mean).toBeCloseTo(r.blocks.reduce((a, b) => a + b.blockMean * b.blockN, 0) / 32, 12);
    for (const b of r.blocks) expect(b.halfWidth).toBeCloseTo((b.ciHigh! - b.ciLow!) / 2, 12);
  });

  it('grows while the trial runs', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: noisy });
    now.t += 60; // 60% through round 0: blocks 0 and 1 (at 25 and 50 ms) are in
    const trial = (await caller.trials.list({ studyId: s.id, limit: 1 })).items[0];
    expect(trial.status).toBe('running');
    const r1 = await caller.trials.blocks({ trialId: trial.id });
    expect(r1.status).toBe('running');
    expect(r1.value).toBeNull();
    expect(r1.blocks).toHaveLength(2);
    now.t += 20;
    expect((await caller.trials.blocks({ trialId: trial.id })).blocks).toHaveLength(3);
  });

  it('returns no blocks for an exact objective', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: bayesopt });
    now.t += 200;
    const trial = (await caller.trials.list({ studyId: s.id, limit: 1 })).items[0];
    expect((await caller.trials.blocks({ trialId: trial.id })).blocks).toEqual([]);
  });

  it('validates the input and answers NOT_FOUND for an unknown trial', async () => {
    const { service, caller } = setup();
    const empty = await trpcError(caller.trials.blocks({ trialId: '  ' }));
    expect(empty.code).toBe('BAD_REQUEST');
    expect(empty.message).toBe('trialId: an id is required');
    const missing = await trpcError(caller.trials.blocks({} as { trialId: string }));
    expect(fieldsOf(missing)).toEqual(['trialId']);
    expect(service.calls.filter((c) => c.method === 'getTrialBlocks')).toHaveLength(0);
    const unknown = await trpcError(caller.trials.blocks({ trialId: 'st_nope_t3' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('st_nope_t3');
  });
});

describe('studies.surrogate', () => {
  it('returns the posterior on a resolution x resolution grid with the observations', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: bayesopt });
    now.t += 1000;
    const started = performance.now();
    const r = await caller.studies.surrogate({ studyId: s.id, x: 'x2', y: 'x1', resolution: 12 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.message).toBeNull();
    expect(r).toMatchObject({ resolution: 12, trialsCompleted: 24, trialsUsed: 24, direction: 'minimize', metric: 'value' });
    expect(r.x).toMatchObject({ name: 'x2', low: 0, high: 15 });
    expect(r.y).toMatchObject({ name: 'x1', low: -5, high: 10 });
    expect(r.x.values).toHaveLength(12);
    expect(r.x.values[0]).toBe(0);
    expect(r.x.values[11]).toBe(15);
    expect(r.mean).toHaveLength(12);
    expect(r.std).toHaveLength(12);
    for (let iy = 0; iy < 12; iy++) {
      expect(r.mean[iy]).toHaveLength(12);
      expect(r.std[iy]).toHaveLength(12);
      for (let ix = 0; ix < 12; ix++) {
        expect(Number.isFinite(r.mean[iy][ix])).toBe(true);
        expect(r.std[iy][ix]).toBeGreaterThanOrEqual(0);
      }
    }
    expect(r.observations).toHaveLength(24);
    expect(Object.keys(r.fixed).sort()).toEqual(['x1', 'x2']);
    const best = await caller.studies.get({ id: s.id });
    expect(r.bestTrialNumber).toBe(best.bestTrialNumber);
  });

  it('says why there is no surface before three trials have completed', async () => {
    const { caller } = setup();
    const s = await caller.studies.launch({ config: bayesopt });
    const r = await caller.studies.surrogate({ studyId: s.id, x: 'x1', y: 'x2' });
    expect(r.resolution).toBe(32);
    expect(r.mean).toEqual([]);
    expect(r.message).toMatch(/at least 3 completed trials/);
    expect(r.x.values).toHaveLength(32);
  });

  it('names the offending field for bad axes and bad resolution', async () => {
    const { service, caller, now } = setup();
    const s = await caller.studies.launch({ config: withCategorical });
    now.t += 1000;
    const unknown = await trpcError(caller.studies.surrogate({ studyId: s.id, x: 'depth', y: 'lr' }));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.message).toMatch(/^x: "depth" is not a parameter of this study; choose one of lr, width$/);
    const categorical = await trpcError(caller.studies.surrogate({ studyId: s.id, x: 'lr', y: 'act' }));
    expect(categorical.message).toMatch(/^y: "act" is categorical/);
    const same = await trpcError(caller.studies.surrogate({ studyId: s.id, x: 'lr', y: 'lr' }));
    expect(fieldsOf(same)).toEqual(['y']);
    const calls = service.calls.filter((c) => c.method === 'getSurrogate').length;
    for (const [bad, field] of [[{ resolution: 500 }, 'resolution'], [{ resolution: 1.5 }, 'resolution'], [{ x: '' }, 'x'], [{ studyId: '' }, 'studyId']] as const) {
      const err = await trpcError(caller.studies.surrogate({ studyId: s.id, x: 'lr', y: 'width', ...bad }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual([field]);
      expect(err.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(service.calls.filter((c) => c.method === 'getSurrogate')).toHaveLength(calls);
    expect((await trpcError(caller.studies.surrogate({ studyId: 'missing', x: 'lr', y: 'width' }))).code).toBe('NOT_FOUND');
  });

  it('puts a log parameter on a log-spaced axis', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: withCategorical });
    now.t += 1000;
    const r = await caller.studies.surrogate({ studyId: s.id, x: 'lr', y: 'width', resolution: 4 });
    expect(r.x.log).toBe(true);
    expect(r.x.values.map((v) => Math.log10(v))).toEqual([-4, -3, -2, -1].map((v) => expect.closeTo(v, 10)));
    expect(r.mean.map((row) => row.length)).toEqual([4, 4, 4, 4]);
    expect(['relu', 'gelu', true]).toContain(r.fixed.act);
  });
});

describe('studies.parallel', () => {
  it('returns every completed trial with the axes, categorical choices included', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: withCategorical });
    now.t += 1000;
    const r = await caller.studies.parallel({ studyId: s.id });
    expect(r.total).toBe(40);
    expect(r.rows).toHaveLength(40);
    expect(r.sampled).toBe(false);
    expect(r.axes.map((a) => [a.name, a.type])).toEqual([['lr', 'float'], ['width', 'int'], ['act', 'categorical']]);
    expect(r.axes[2].choices).toEqual(['relu', 'gelu', true]);
    expect(r.axes[0]).toMatchObject({ low: 1e-4, high: 1e-1, log: true });
    expect(r.metric).toBe('loss');
  });

  it('samples evenly by trial number beyond the limit', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: withCategorical });
    now.t += 1000;
    const r = await caller.studies.parallel({ studyId: s.id, limit: 10 });
    expect(r).toMatchObject({ total: 40, sampled: true });
    expect(r.rows.map((x) => x.number)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
  });

  it('validates limit and studyId', async () => {
    const { service, caller } = setup();
    for (const [bad, field] of [[{ limit: 0 }, 'limit'], [{ limit: 10_001 }, 'limit'], [{ limit: 'all' }, 'limit'], [{ studyId: '' }, 'studyId']] as const) {
      const err = await trpcError(caller.studies.parallel({ studyId: 's', ...(bad as object) } as { studyId: string }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual([field]);
    }
    expect(service.calls.filter((c) => c.method === 'getParallelCoordinates')).toHaveLength(0);
    expect((await trpcError(caller.studies.parallel({ studyId: 'missing' }))).code).toBe('NOT_FOUND');
  });
});

describe('token on the new procedures', () => {
  it('refuses a missing or wrong token before validating or calling the service', async () => {
    for (const token of [null, 'wrong']) {
      const { service, caller } = setup({ requiredToken: 's3cret', token });
      for (const call of [
        () => caller.trials.blocks({ trialId: 'x' }),
        () => caller.studies.surrogate({ studyId: 'x', x: 'a', y: 'b' }),
        () => caller.studies.parallel({ studyId: 'x' }),
        () => caller.studies.surrogate({ studyId: '', x: '', y: '', resolution: -1 }),
      ]) {
        expect((await trpcError(call())).code).toBe('UNAUTHORIZED');
      }
      expect(service.calls).toHaveLength(0);
    }
  });

  it('answers with the right token', async () => {
    const { caller, now } = setup({ requiredToken: 's3cret', token: 's3cret' });
    const s = await caller.studies.launch({ config: noisy });
    now.t += 1000;
    await expect(caller.studies.parallel({ studyId: s.id, limit: 5 })).resolves.toMatchObject({ total: 12 });
  });
});
