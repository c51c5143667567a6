import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TStudyConfigInput } from '@stepwise/core';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { createCaller, createContext } from '../web/src/server/router';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';
import { fieldsOf, trpcError } from './support/trpc-errors';

/**
 * trials.blocks, studies.surrogate and studies.parallel through the router against the real
 * service: a bayesopt study for the GP slice (fitted here, inside the request) and a sampler study
 * on an ONNX testbed for seed blocks and categorical axes.
 */
const w = testWorkerEnv('router-insights');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
let caller: ReturnType<typeof createCaller>;

const bayesopt: TStudyConfigInput = {
  name: 'router bo branin',
  kind: 'bayesopt',
  objective: { type: 'function', function: 'branin' },
  budget: { trials: 12, parallel: 4 },
  bayesopt: { method: 'gp-logei', initialDesign: 6 },
  seed: 2,
};

const sampler: TStudyConfigInput = {
  name: 'router gmm grid',
  kind: 'grid',
  objective: {
    type: 'sampler', model: 'gmm-64d', metric: 'rmse',
    estimation: { minSamples: 64, maxSamples: 256, blockSize: 64, targetRelHalfWidth: 0.05, confidence: 0.9 },
  },
  space: [
    { type: 'categorical', name: 'preset', choices: ['ddim', 'dpmpp-2m'] },
    { type: 'categorical', name: 'nfe', choices: [5, 10] },
  ],
  budget: { trials: 4, parallel: 2 },
  seed: 7,
};

let boId: string;
let samplerId: string;

beforeAll(async () => {
  live.push(...(await Promise.all([
    startOrchestrator(w, 'router-insights-orch'),
    startProposals(w, 'router-insights-proposals'),
    startCompute(w, 'router-insights-compute', { STEPWISE_MODEL_DIR: '.data/test/models' }),
  ])));
  ({ service, db, close } = await connectService(w));
  caller = createCaller(createContext({ service, requiredToken: null, token: null }));
  const [bo, smp] = await Promise.all([caller.studies.launch({ config: bayesopt }), caller.studies.launch({ config: sampler })]);
  boId = bo.id;
  samplerId = smp.id;
  for (const id of [boId, samplerId]) expect((await waitForStatus(service, id, ['completed', 'failed', 'cancelled'], 600_000)).status).toBe('completed');
}, 700_000);

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});


describe('studies.surrogate', () => {
  it('fits the GP to the completed trials and returns the posterior on a resolution x resolution grid', async () => {
    const r = await caller.studies.surrogate({ studyId: boId, x: 'x2', y: 'x1', resolution: 12 });
    expect(r.message).toBeNull();
    expect(r).toMatchObject({ studyId: boId, resolution: 12, trialsCompleted: 12, direction: 'minimize', metric: 'value' });
    expect(r.trialsUsed).toBeGreaterThanOrEqual(3);
    expect(r.trialsUsed).toBeLessThanOrEqual(12);
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
    expect(r.observations.length).toBeGreaterThan(0);
    expect(Object.keys(r.fixed).sort()).toEqual(['x1', 'x2']);
    const study = await caller.studies.get({ id: boId });
    expect(r.bestTrialNumber).toBe(study.bestTrialNumber);
    // The other pair from the cached fit: the same model, so the same trials used.
    const swapped = await caller.studies.surrogate({ studyId: boId, x: 'x1', y: 'x2', resolution: 4 });
    expect(swapped.trialsUsed).toBe(r.trialsUsed);
    expect(swapped.mean.map((row) => row.length)).toEqual([4, 4, 4, 4]);
  });

  it('names the offending field for bad axes and bad resolution', async () => {
    const unknown = await trpcError(caller.studies.surrogate({ studyId: boId, x: 'depth', y: 'x1' }));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.message).toMatch(/^x: "depth" is not a parameter of this study; choose one of x1, x2$/);
    const categorical = await trpcError(caller.studies.surrogate({ studyId: samplerId, x: 'preset', y: 'nfe' }));
    expect(fieldsOf(categorical)[0]).toBe('x');
    expect(categorical.message).toMatch(/^x: "preset" is categorical/);
    const same = await trpcError(caller.studies.surrogate({ studyId: boId, x: 'x1', y: 'x1' }));
    expect(fieldsOf(same)).toEqual(['y']);
    for (const [bad, field] of [[{ resolution: 500 }, 'resolution'], [{ resolution: 1.5 }, 'resolution'], [{ x: '' }, 'x'], [{ studyId: '' }, 'studyId']] as const) {
      const err = await trpcError(caller.studies.surrogate({ studyId: boId, x: 'x1', y: 'x2', ...bad }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual([field]);
      expect(err.message.startsWith(`${field}: `)).toBe(true);
    }
    expect((await trpcError(caller.studies.surrogate({ studyId: 'missing', x: 'x1', y: 'x2' }))).code).toBe('NOT_FOUND');
  });
});

describe('studies.parallel', () => {
  it('returns every completed trial with the axes, categorical choices included', async () => {
    const r = await caller.studies.parallel({ studyId: samplerId });
    expect(r).toMatchObject({ studyId: samplerId, metric: 'rmse', direction: 'minimize', total: 4, sampled: false });
    expect(r.rows.map((x) => x.number).sort()).toEqual([0, 1, 2, 3]);
    expect(r.axes.map((a) => [a.name, a.type])).toEqual([['preset', 'categorical'], ['nfe', 'categorical']]);
    expect(r.axes[0].choices).toEqual(['ddim', 'dpmpp-2m']);
    expect(r.axes[1].choices).toEqual([5, 10]);
    const trials = await db.trial.findMany({ where: { studyId: samplerId } });
    for (const row of r.rows) {
      const t = trials.find((x) => x.number === row.number)!;
      expect(row.value).toBe(t.value);
      expect(row.params).toEqual(t.params);
    }
    const bo = await caller.studies.parallel({ studyId: boId });
    expect(bo.axes[0]).toMatchObject({ name: 'x1', type: 'float', low: -5, high: 10, log: false, choices: null });
  });

  it('thins by trial number beyond the limit', async () => {
    const r = await caller.studies.parallel({ studyId: boId, limit: 4 });
    expect(r).toMatchObject({ total: 12, sampled: true });
    expect(r.rows).toHaveLength(4);
    const numbers = r.rows.map((x) => x.number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('validates limit and studyId', async () => {
    for (const [bad, field] of [[{ limit: 0 }, 'limit'], [{ limit: 10_001 }, 'limit'], [{ limit: 'all' }, 'limit'], [{ studyId: '' }, 'studyId']] as const) {
      const err = await trpcError(caller.studies.parallel({ studyId: samplerId, ...(bad as object) } as { studyId: string }));
      expect(err.code).toBe('BAD_REQUEST');
      expect(fieldsOf(err)).toEqual([field]);
    }
    expect((await trpcError(caller.studies.parallel({ studyId: 'missing' }))).code).toBe('NOT_FOUND');
  });
});

describe('trials.blocks', () => {
  it("returns a sampler trial's seed blocks in order with the running estimate at the study's confidence", async () => {
    const trials = (await caller.trials.list({ studyId: samplerId, limit: 10 })).items;
    expect(trials).toHaveLength(4);
    for (const trial of trials) {
      const r = await caller.trials.blocks({ trialId: trial.id });
      expect(r).toMatchObject({ trialId: trial.id, studyId: samplerId, number: trial.number, status: 'completed', confidence: 0.9 });
      expect(r).toMatchObject({ value: trial.value, ciLow: trial.ciLow, ciHigh: trial.ciHigh, n: trial.n });
      const stored = await db.trialBlock.findMany({ where: { trialId: trial.id }, orderBy: { blockIndex: 'asc' } });
      expect(r.blocks.map((b) => b.blockIndex)).toEqual(stored.map((b) => b.blockIndex));
      expect(r.blocks.map((b) => [b.seedStart, b.seedEnd])).toEqual(stored.map((b) => [b.seedStart, b.seedEnd]));
      let n = 0;
      for (const b of r.blocks) {
        n += b.blockN;
        expect(b.n).toBe(n);
        expect(b.halfWidth!).toBeCloseTo((b.ciHigh! - b.ciLow!) / 2, 9);
        expect(b.ciLow!).toBeLessThan(b.mean);
      }
      expect(n).toBe(trial.n);
    }
  });

  it('returns no blocks for an exact objective', async () => {
    const trial = (await caller.trials.list({ studyId: boId, limit: 1 })).items[0];
    const r = await caller.trials.blocks({ trialId: trial.id });
    expect(r).toMatchObject({ studyId: boId, confidence: 0.95, blocks: [] });
  });

  it('validates the input and answers NOT_FOUND for an unknown trial', async () => {
    const empty = await trpcError(caller.trials.blocks({ trialId: '  ' }));
    expect(empty.code).toBe('BAD_REQUEST');
    expect(empty.message).toBe('trialId: an id is required');
    expect(fieldsOf(await trpcError(caller.trials.blocks({} as { trialId: string })))).toEqual(['trialId']);
    for (const id of ['st_nope_t3', '00000000-0000-4000-8000-000000000000']) {
      const unknown = await trpcError(caller.trials.blocks({ trialId: id }));
      expect(unknown.code).toBe('NOT_FOUND');
      expect(unknown.message).toContain(id);
    }
  });
});
