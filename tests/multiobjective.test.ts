import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANIN_CURRIN, hypervolume, paretoFront, zdt1, type TStudyConfigInput } from '@stepwise/core';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import type { StepwiseClient } from '@stepwise/client';
import type { ManagedProcess } from '../infra/stack/processes';
import { createCaller, createContext } from '../web/src/server/router';
import { runCli } from '../client/src/cli/program';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, startProposals, stopProcess, testWorkerEnv } from './support/workers';
import { fieldsOf, trpcError } from './support/trpc-errors';

/**
 * Multi-objective studies (issue #14, item 5) through the real stack: Postgres, Temporal, an
 * orchestrator, a proposals worker (EHVI, or ParEGO when asked) and a compute worker. A bayesopt study on
 * BraninCurrin and a random one on ZDT1 (4 trials in flight, so front updates race) run to the
 * end; every trial stores both objective values, and the stored front equals the front
 * recomputed from those values. studies.pareto and `stepwise show` report it; a command study
 * takes its objectives from the program's JSON, a sampler study trades RMSE against NFE, and
 * reproducible bayesopt reruns propose the same points.
 */
const w = testWorkerEnv('multiobjective');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
let caller: ReturnType<typeof createCaller>;

const both = [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }] as const;

const boConfig: TStudyConfigInput = {
  name: 'mo bo branin-currin',
  kind: 'bayesopt',
  objective: { type: 'function', function: 'branin_currin' },
  objectives: [...both],
  budget: { trials: 24, parallel: 4 },
  bayesopt: { method: 'gp-logei', initialDesign: 8 },
  seed: 5,
};

const randomConfig: TStudyConfigInput = {
  name: 'mo random zdt1',
  kind: 'random',
  objective: { type: 'function', function: 'zdt1', dim: 3 },
  // Listed in the other order than the function's outputs: values (and `value`) follow this list.
  objectives: [both[1], both[0]],
  budget: { trials: 40, parallel: 4, batchSize: 2 },
  seed: 11,
};

function routerClient(): StepwiseClient {
  return {
    studies: { get: { query: caller.studies.get }, pareto: { query: caller.studies.pareto } },
    trials: { list: { query: caller.trials.list } },
  } as unknown as StepwiseClient;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const client = routerClient();
  const code = await runCli(['node', 'stepwise', ...argv], { env: {}, out: async (s) => void (out += s), err: (s) => void (err += s), createClient: () => client });
  return { code, out, err };
}

async function trialsOf(studyId: string) {
  return db.trial.findMany({ where: { studyId }, orderBy: { number: 'asc' }, select: { number: true, status: true, params: true, value: true, objectiveValues: true, onFront: true, proposal: true } });
}

/** Every trial completed with values equal to the function at its params, and the stored front equal to the recomputed one. */
async function expectStoredFront(studyId: string, total: number, evaluate: (x: number[]) => number[]) {
  const trials = await trialsOf(studyId);
  expect(trials).toHaveLength(total);
  for (const t of trials) {
    expect(t.status).toBe('completed');
    const x = Object.keys(t.params as Record<string, number>).sort().map((k) => (t.params as Record<string, number>)[k]);
    const want = evaluate(x);
    expect(t.objectiveValues).toHaveLength(2);
    t.objectiveValues.forEach((v, k) => expect(v).toBeCloseTo(want[k], 9));
    expect(t.value).toBe(t.objectiveValues[0]);
  }
  const recomputed = paretoFront(trials.map((t) => t.objectiveValues), ['minimize', 'minimize']).map((i) => trials[i].number);
  const stored = trials.filter((t) => t.onFront).map((t) => t.number);
  expect(stored.length).toBeGreaterThan(0);
  expect(stored).toEqual(recomputed);
  return { trials, front: stored };
}

beforeAll(async () => {
  live.push(...(await Promise.all([
    startOrchestrator(w, 'mo-orch'),
    startProposals(w, 'mo-proposals'),
    startCompute(w, 'mo-compute', { STEPWISE_COMMANDS_FILE: 'examples/commands.json', STEPWISE_MODEL_DIR: mkdtempSync(join(tmpdir(), 'stepwise-mo-models-')) }),
  ])));
  ({ service, db, close } = await connectService(w));
  caller = createCaller(createContext({ service, requiredToken: null, token: null }));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('multi-objective studies', () => {
  let boId: string;
  let randomId: string;

  it('bayesopt on BraninCurrin: ParEGO proposals, both values stored, the stored front equals the recomputed one', async () => {
    const [bo, rnd] = await Promise.all([caller.studies.launch({ config: boConfig }), caller.studies.launch({ config: randomConfig })]);
    boId = bo.id;
    randomId = rnd.id;
    const [doneBo, doneRnd] = await Promise.all([waitForStatus(service, bo.id, ['completed', 'failed', 'cancelled'], 300_000), waitForStatus(service, rnd.id, ['completed', 'failed', 'cancelled'], 300_000)]);
    expect(doneBo.status).toBe('completed');
    expect(doneRnd.status).toBe('completed');

    const { trials } = await expectStoredFront(bo.id, 24, (x) => BRANIN_CURRIN.evaluate(x));
    const kinds = trials.map((t) => (t.proposal as { kind?: string } | null)?.kind);
    expect(kinds.slice(0, 8).every((k) => k === 'initial')).toBe(true);
    expect(kinds.slice(8).every((k) => k === 'acquisition')).toBe(true);
    // Two objectives: EHVI by default (ParEGO only where EHVI finds no improving candidate).
    const methods = trials.slice(8).map((t) => (t.proposal as { method?: string }).method);
    expect(methods.filter((m) => m === 'gp-ehvi').length).toBeGreaterThanOrEqual(8);
    for (const t of trials.slice(8)) {
      const p = t.proposal as { method: string; acquisitionValue?: number; scalarization?: string };
      if (p.method === 'gp-ehvi') expect(p.acquisitionValue).toBeGreaterThan(0);
      else expect(p.scalarization).toBe('parego');
    }
    // The study's best value is the primary objective's (f1) best.
    expect(doneBo.bestValue).toBe(Math.min(...trials.map((t) => t.objectiveValues[0])));

    await expectStoredFront(rnd.id, 40, (x) => zdt1(3).evaluate(x).reverse());
    expect(doneRnd.metric).toBe('f2');
  });

  it('studies.pareto returns the stored front, the hypervolume at the function\'s reference point and its curve', async () => {
    const view = await caller.studies.pareto({ studyId: boId });
    const trials = await trialsOf(boId);
    expect(view.objectives).toEqual(both);
    expect(view.completed).toBe(24);
    expect(view.front.map((f) => f.number)).toEqual(trials.filter((t) => t.onFront).map((t) => t.number));
    expect(view.front.length + view.others.length).toBe(24);
    expect(view.reference).toMatchObject({ point: [18, 6], source: 'function' });
    // The front dominates what all trials dominate (24 trials may not reach the reference box: then 0).
    expect(view.hypervolume).toBeCloseTo(hypervolume(trials.map((t) => t.objectiveValues), [18, 6], ['minimize', 'minimize']), 9);
    expect(view.hypervolume).toBeLessThanOrEqual(BRANIN_CURRIN.maxHypervolume);
    expect(view.curve[view.curve.length - 1]).toMatchObject({ completed: 24, hypervolume: view.hypervolume });

    // ZDT1 at its reference (11, 11): every trial counts, so the curve grows from the first trial on.
    const z = await caller.studies.pareto({ studyId: randomId });
    const zTrials = await trialsOf(randomId);
    expect(z.reference).toMatchObject({ point: [11, 11], source: 'function' });
    expect(z.hypervolume).toBeGreaterThan(0);
    expect(z.hypervolume).toBeCloseTo(hypervolume(zTrials.map((t) => t.objectiveValues), [11, 11], ['minimize', 'minimize']), 9);
    expect(z.hypervolume).toBeLessThanOrEqual(zdt1(3).maxHypervolume);
    const hv = z.curve.map((c) => c.hypervolume);
    expect(hv[0]).toBeGreaterThan(0);
    expect(hv.every((v, i) => i === 0 || v >= hv[i - 1])).toBe(true);
    expect(z.curve[z.curve.length - 1]).toMatchObject({ completed: 40, hypervolume: z.hypervolume });

    const thin = await caller.studies.pareto({ studyId: boId, limit: 3, curvePoints: 2 });
    expect(thin.others).toHaveLength(3);
    expect(thin.sampled).toBe(true);
    expect(thin.front).toEqual(view.front);
  });

  it('studies.pareto refuses a single-objective study, and launch refuses a target with several objectives, naming the field', async () => {
    const one = await caller.studies.launch({ config: { name: 'mo single', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 2, parallel: 2 } } });
    const err = await trpcError(caller.studies.pareto({ studyId: one.id }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(fieldsOf(err)).toEqual(['studyId']);
    expect((await trpcError(caller.studies.pareto({ studyId: '00000000-0000-4000-8000-000000000000' }))).code).toBe('NOT_FOUND');
    const locked = createCaller(createContext({ service, requiredToken: 's3cret', token: 'wrong' }));
    expect((await trpcError(locked.studies.pareto({ studyId: boId }))).code).toBe('UNAUTHORIZED');
    const bad = await trpcError(caller.studies.launch({ config: { ...boConfig, budget: { trials: 4, targetValue: 1 } } }));
    expect(fieldsOf(bad)).toEqual(['budget.targetValue']);
    const conflict = await trpcError(caller.studies.launch({ config: { ...boConfig, objective: { type: 'function', function: 'branin_currin', direction: 'maximize' } } }));
    expect(fieldsOf(conflict)).toEqual(['objective.direction']);
    expect(await db.study.count({ where: { name: boConfig.name } })).toBe(1);
    await waitForStatus(service, one.id, ['completed', 'failed', 'cancelled'], 120_000);
  });

  it('stepwise show lists the front with both objectives and the hypervolume', async () => {
    const trials = await trialsOf(boId);
    const front = trials.filter((t) => t.onFront);
    const { code, out, err } = await cli('show', boId);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('objective  minimize f1, minimize f2');
    expect(out).toContain(`Pareto front: ${front.length} of 24 completed trials`);
    expect(out).toMatch(/trial\s+f1 \(min\)\s+f2 \(min\)\s+params/);
    for (const t of front) expect(out).toMatch(new RegExp(`#${t.number}\\s`));
    expect(out).toContain('reference point [18, 6]');
    const json = JSON.parse((await cli('show', boId, '--json')).out) as { pareto: { front: Array<{ number: number }> } };
    expect(json.pareto.front.map((f) => f.number)).toEqual(front.map((t) => t.number));

    // The export has a column per objective and the front flag.
    const csv = (await cli('export', boId, '--format', 'csv')).out.trim().split('\n');
    expect(csv[0]).toBe('number,status,value,stderr,ci_low,ci_high,n,objective.f1,objective.f2,on_front,param.x1,param.x2,attempt,worker,started_at,finished_at,error');
    expect(csv).toHaveLength(25);
    for (const t of trials) {
      const cells = csv[t.number + 1].split(',');
      expect(cells.slice(7, 10)).toEqual([String(t.objectiveValues[0]), String(t.objectiveValues[1]), String(t.onFront)]);
    }
  });

  it('a command study takes every objective from the program\'s last JSON line', async () => {
    const study = await caller.studies.launch({
      config: {
        name: 'mo train-tiny', kind: 'random',
        objective: { type: 'command', program: 'train-tiny' },
        objectives: [{ metric: 'val_loss', direction: 'minimize' }, { metric: 'val_acc', direction: 'maximize' }],
        space: [{ type: 'float', name: 'lr', low: 0.01, high: 0.5, log: true }, { type: 'int', name: 'epochs', low: 2, high: 6 }],
        budget: { trials: 4, parallel: 2 },
        seed: 3,
      },
    });
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status).toBe('completed');
    const trials = await trialsOf(study.id);
    expect(trials.every((t) => t.status === 'completed' && t.objectiveValues.length === 2 && t.value === t.objectiveValues[0])).toBe(true);
    expect(trials.every((t) => t.objectiveValues[1] >= 0 && t.objectiveValues[1] <= 1)).toBe(true);
    const recomputed = paretoFront(trials.map((t) => t.objectiveValues), ['minimize', 'maximize']).map((i) => trials[i].number);
    expect(trials.filter((t) => t.onFront).map((t) => t.number)).toEqual(recomputed);
    const view = await caller.studies.pareto({ studyId: study.id });
    expect(view.reference.source).toBe('observed');
  });

  it('a sampler study\'s objectives are its quality metric and the trial\'s NFE', async () => {
    const study = await caller.studies.launch({
      config: {
        name: 'mo gmm-2d rmse vs nfe', kind: 'grid',
        objective: { type: 'sampler', model: 'gmm-2d', preset: 'dpmpp-2m', estimation: { minSamples: 64, maxSamples: 64, blockSize: 64 } },
        objectives: [{ metric: 'rmse', direction: 'minimize' }, { metric: 'nfe', direction: 'minimize' }],
        space: [{ type: 'categorical', name: 'nfe', choices: [3, 5, 8] }],
        budget: { trials: 3, parallel: 3 },
        seed: 2,
      },
    });
    expect((await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000)).status).toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' } });
    expect(trials).toHaveLength(3);
    for (const t of trials) {
      const nfe = (t.params as { nfe: number }).nfe;
      expect(t.objectiveValues).toEqual([t.value, nfe]);
      expect(t.costNfe).toBe(nfe);
    }
    const recomputed = paretoFront(trials.map((t) => t.objectiveValues), ['minimize', 'minimize']).map((i) => trials[i].number);
    expect(trials.filter((t) => t.onFront).map((t) => t.number)).toEqual(recomputed);
    // The cheapest trial is on the front whatever its RMSE (nothing has fewer evaluations).
    expect(trials.find((t) => (t.params as { nfe: number }).nfe === 3)!.onFront).toBe(true);
  });

  it('reproducible bayesopt, EHVI and ParEGO: two runs of one multi-objective config record the same trials, 3 in flight', async () => {
    const configOf = (acq: 'ehvi' | 'parego') => ({
      ...boConfig, name: `mo reproducible ${acq}`, budget: { trials: 12, parallel: 3 }, seed: 9,
      bayesopt: { method: 'gp-logei', initialDesign: 4, reproducible: true, multiObjective: acq },
    }) as TStudyConfigInput;
    const launched = await Promise.all(['ehvi', 'parego', 'ehvi', 'parego'].map((acq) => caller.studies.launch({ config: configOf(acq as 'ehvi' | 'parego') })));
    for (const s of launched) expect((await waitForStatus(service, s.id, ['completed', 'failed', 'cancelled'], 300_000)).status).toBe('completed');
    const rows = async (id: string) => (await trialsOf(id)).map((t) => JSON.stringify([t.params, t.objectiveValues, t.onFront]));
    const [ea, pa, eb, pb] = await Promise.all(launched.map((s) => rows(s.id)));
    for (const r of [ea, pa]) {
      expect(r).toHaveLength(12);
      expect(new Set(r).size).toBe(12);
    }
    expect(eb).toEqual(ea);
    expect(pb).toEqual(pa);
    expect((await trialsOf(launched[0].id)).slice(4).some((t) => (t.proposal as { method?: string }).method === 'gp-ehvi')).toBe(true);
    // Each ParEGO proposal says which trade-off (Chebyshev weights) it aimed at.
    for (const t of (await trialsOf(launched[1].id)).slice(4)) {
      const p = t.proposal as { scalarization?: string; weights?: number[] };
      expect(p.scalarization).toBe('parego');
      expect(p.weights).toHaveLength(2);
      expect(p.weights!.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    }
  });
});
