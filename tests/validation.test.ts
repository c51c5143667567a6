import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { TStudyConfigInput } from '@stepwise/core';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import { createCaller, createContext } from '../web/src/server/router';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';
import { fieldsOf, trpcError } from './support/trpc-errors';

/**
 * Issue #13, fault 1: nothing invalid gets in. Each config below used to launch (and fail later, or
 * run the defaults); now the API refuses it with the field named, and writes no study row, no
 * schedule row and no workflow: counted before and after.
 */
const w = testWorkerEnv('validation');
const modelDir = resolve('.data/test-validation/models');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let temporal: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  mkdirSync(modelDir, { recursive: true });
  // Not ONNX at all: a text file with the right extension.
  writeFileSync(join(modelDir, 'broken.onnx'), 'this is not a protobuf\n');
  live.push(...(await Promise.all([startOrchestrator(w, 'validation-orch'), startCompute(w, 'validation-compute', { STEPWISE_MODEL_DIR: modelDir })])));
  ({ service, db, temporal, close } = await connectService(w));
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

const caller = () => createCaller(createContext({ service, requiredToken: null, token: null }));
const raw = (v: unknown) => v as TStudyConfigInput;

async function studyWorkflows(): Promise<number> {
  let n = 0;
  for await (const _ of temporal.workflow.list({ query: `WorkflowType = 'studyWorkflow' AND TaskQueue = '${w.orchestratorQueue}'` })) n++;
  return n;
}

/** What a refused call leaves behind: the same counts as before it. */
async function counts() {
  const [studies, schedules, workflows] = await Promise.all([db.study.count(), db.rerunSchedule.count(), studyWorkflows()]);
  return { studies, schedules, workflows };
}

async function refused(call: () => Promise<unknown>): Promise<Array<{ field: string; message: string }>> {
  const before = await counts();
  const err = await trpcError(call());
  expect(err.code).toBe('BAD_REQUEST');
  expect(await counts()).toEqual(before);
  return (err.cause as unknown as { issues: Array<{ field: string; message: string }> }).issues;
}

const sampler = (model: string) => ({
  name: `validation ${model}`, kind: 'random', budget: { trials: 2, parallel: 1 },
  objective: { type: 'sampler', model, estimation: { minSamples: 8, maxSamples: 16, blockSize: 8 } },
  space: [{ type: 'int', name: 'nfe', low: 2, high: 4 }],
});

describe('launch refuses what could never run, and writes nothing', () => {
  it('an evaluate candidate with an unknown preset and nfe 0', async () => {
    const issues = await refused(() => caller().studies.launch({
      config: raw({
        name: 'validation evaluate', kind: 'evaluate', budget: { trials: 2 },
        objective: { type: 'sampler', model: 'gmm-2d' },
        candidates: [{ preset: 'ddim', nfe: 10 }, { preset: 'dpmpp-9m', nfe: 0 }],
      }),
    }));
    expect(issues.map((i) => i.field)).toEqual(['candidates.1.preset', 'candidates.1.nfe']);
    // A sentence naming the valid presets and the bound, not a zod JSON dump.
    expect(issues[0].message).toMatch(/ddim.*dpmpp-2m/);
    expect(issues[1].message).toMatch(/>=\s*1/);
    expect(issues.every((i) => !i.message.includes('{'))).toBe(true);
  });

  it('unknown keys, each with the key it was probably meant to be', async () => {
    const issues = await refused(() => caller().studies.launch({
      config: raw({
        name: 'validation typos', kind: 'random', sed: 4,
        objective: { type: 'function', function: 'branin', noise_std: 0.1 },
        budget: { trials: 4, paralel: 8 },
      }),
    }));
    expect(issues).toEqual([
      { field: 'sed', message: 'unknown key "sed"; did you mean "seed"?' },
      { field: 'objective.noise_std', message: 'unknown key "noise_std"; did you mean "noiseStd"?' },
      { field: 'budget.paralel', message: 'unknown key "paralel"; did you mean "parallel"?' },
    ]);
  });

  it('a model that does not exist', async () => {
    const issues = await refused(() => caller().studies.launch({ config: raw(sampler('my-model')) }));
    expect(issues.map((i) => i.field)).toEqual(['objective.model']);
    expect(issues[0].message).toMatch(/my-model' not found/);
  });

  it('a model file that is not ONNX', async () => {
    const issues = await refused(() => caller().studies.launch({ config: raw(sampler('broken.onnx')) }));
    expect(issues.map((i) => i.field)).toEqual(['objective.model']);
    expect(issues[0].message).toMatch(/broken\.onnx: not an ONNX model/);
  });

  it('guidance on an unconditional model', async () => {
    const config = { ...sampler('gmm-2d'), objective: { ...sampler('gmm-2d').objective, guidance: 2 } };
    const issues = await refused(() => caller().studies.launch({ config: raw(config) }));
    expect(issues).toEqual([{ field: 'objective.guidance', message: expect.stringMatching(/gmm-2d is unconditional/) }]);
  });

  it('a schedule with a bad cron, naming the field and giving an example', async () => {
    const err = await trpcError(caller().schedules.create({ name: 'validation cron', cron: '61 * * *', template: raw(sampler('gmm-2d')) }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(fieldsOf(err)).toEqual(['cron']);
    expect(err.message).toMatch(/expected .*minute hour/);
    expect(await db.rerunSchedule.count({ where: { name: 'validation cron' } })).toBe(0);
  });

  it('a schedule template with an unknown key or a missing model', async () => {
    const typo = await refused(() => caller().schedules.create({ name: 'validation template', intervalSeconds: 3600, template: raw({ ...sampler('gmm-2d'), budget: { trials: 2, paralel: 1 } }) }));
    expect(typo.map((i) => i.field)).toEqual(['template.budget.paralel']);
    const missing = await refused(() => caller().schedules.create({ name: 'validation template', intervalSeconds: 3600, template: raw(sampler('my-model')) }));
    expect(missing.map((i) => i.field)).toEqual(['template.objective.model']);
  });

  it('the same valid sampler config launches (the check passes a good model)', async () => {
    const before = await db.study.count();
    const s = await caller().studies.launch({ config: raw({ ...sampler('gmm-2d'), name: 'validation ok' }) });
    expect(s.status).toMatch(/queued|running/);
    expect(await db.study.count()).toBe(before + 1);
    await service.cancelStudy(s.id);
  });
});
