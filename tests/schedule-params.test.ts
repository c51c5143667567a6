import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleNfe, ZSolverSchedule } from '@stepwise/core';
import type { StepwiseService } from '@stepwise/service';
import { pairKey, seedValues } from '@stepwise/service/compare-trials';
import type { Db } from '@stepwise/db';
import type { StepwiseClient } from '@stepwise/client';
import type { ManagedProcess } from '../infra/stack/processes';
import { createCaller, createContext } from '../web/src/server/router';
import { runCli } from '../client/src/cli/program';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * Solver schedules as trial parameters (issue #11, items 1, 5, 7) through the real stack:
 * Postgres, Temporal, an orchestrator and a compute worker running gmm-2d through onnxruntime.
 * A grid over explicit schedules and an evaluate race whose candidates are schedules (one read
 * from a file by the CLI) run to completion; each trial costs its schedule's own NFE; trial
 * blocks keep per-seed values and the pooled-RMSE sums; `stepwise export` writes the schedules
 * (CSV: one JSON column; JSON: the whole document); `stepwise compare` gives a paired interval
 * that is narrower than the unpaired one under common random numbers.
 */

const w = testWorkerEnv('schedule-params');
const live: ManagedProcess[] = [];
let service: StepwiseService;
let db: Db;
let close: () => Promise<void>;
let client: StepwiseClient;

/** The CLI against the real tRPC router in-process (createCaller), shaped like the HTTP client. */
function routerClient(): StepwiseClient {
  const caller = createCaller(createContext({ service, requiredToken: null, token: null }));
  return {
    studies: { get: { query: caller.studies.get }, launch: { mutate: caller.studies.launch } },
    trials: { list: { query: caller.trials.list }, compare: { query: caller.trials.compare }, blocks: { query: caller.trials.blocks } },
  } as unknown as StepwiseClient;
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await runCli(['node', 'stepwise', ...argv], {
    env: {}, out: async (s) => void (out += s), err: (s) => void (err += s), createClient: () => client,
  });
  return { code, out, err };
}

/** Explicit timesteps on vp-linear ending at its default end time 1e-3 (the study's end time). */
const fast = {
  noiseSchedule: 'vp-linear',
  timesteps: { spacing: 'explicit', values: [1, 0.35, 0.08, 0.001] },
  steps: [{ prediction: 'data', order: 1 }, { prediction: 'data', order: 2 }, { prediction: 'data', order: 2 }],
};
const singlestep = {
  noiseSchedule: 'vp-linear',
  timesteps: { spacing: 'logSNR' },
  steps: [{ prediction: 'data', order: 1 }, { prediction: 'data', order: 2, intermediate: [{ r: 0.5, order: 1 }] }, { prediction: 'noise', order: 2 }],
};
const estimation = { minSamples: 128, maxSamples: 256, blockSize: 64, targetRelHalfWidth: 0.0001 };

beforeAll(async () => {
  const modelDir = mkdtempSync(join(tmpdir(), 'stepwise-schedule-params-models-'));
  live.push(...(await Promise.all([startOrchestrator(w, 'schedule-params-orch'), startCompute(w, 'schedule-params-compute', { STEPWISE_MODEL_DIR: modelDir })])));
  ({ service, db, close } = await connectService(w));
  client = routerClient();
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await close?.();
});

describe('schedules as trial parameters', () => {
  let gridId: string;

  it('a grid over explicit schedules runs; each trial costs its schedule\'s NFE and keeps per-seed values and the pooled-RMSE sums', async () => {
    const study = await service.launchStudy({
      source: 'client',
      config: {
        name: 'grid of schedules', kind: 'grid', seed: 11,
        objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation },
        space: [{ type: 'categorical', name: 'schedule', choices: [fast, singlestep] }],
        budget: { trials: 2, parallel: 2 },
      },
    });
    gridId = study.id;
    const done = await waitForStatus(service, study.id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status, done.error ?? '').toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: study.id }, orderBy: { number: 'asc' }, include: { blocks: { orderBy: { blockIndex: 'asc' } } } });
    expect(trials.map((t) => t.status)).toEqual(['completed', 'completed']);
    // Stored as given, whole, in trial.params (JSONB).
    expect(trials.map((t) => (t.params as { schedule: unknown }).schedule)).toEqual([fast, singlestep]);
    expect(trials.map((t) => t.costNfe)).toEqual([3, 4]);
    expect(trials.map((t) => t.costNfe)).toEqual([fast, singlestep].map((s) => scheduleNfe(ZSolverSchedule.parse(s))));
    for (const t of trials) {
      expect(t.n).toBe(256);
      expect(t.blocks.reduce((s, b) => s + b.seedEnd - b.seedStart, 0)).toBe(256);
      for (const b of t.blocks) {
        expect((b.values as number[]).length).toBe(b.seedEnd - b.seedStart);
        const stats = b.stats as { n: number; sumMse: number; wrongComponent: number };
        expect(stats.sumMse).toBeCloseTo((b.values as number[]).reduce((s, v) => s + v * v, 0), 6);
        expect(Number.isInteger(stats.wrongComponent)).toBe(true);
      }
      // The trial detail reports both aggregations: pooled RMSE >= mean RMSE.
      const detail = await service.getTrialBlocks({ trialId: t.id });
      expect(detail.endpoint!.n).toBe(256);
      console.info(`trial #${t.number}: rmse (mean of per-sample) ${t.value!.toPrecision(4)}, pooled ${detail.endpoint!.rmsePooled!.toPrecision(4)}, wrong component ${detail.endpoint!.wrongComponentShare}`);
      expect(detail.endpoint!.rmsePooled!).toBeGreaterThan(t.value!);
      expect(detail.endpoint!.wrongComponentShare!).toBeGreaterThanOrEqual(0);
      expect(detail.endpoint!.wrongComponentShare!).toBeLessThanOrEqual(1);
    }
  });

  it('stepwise compare: the paired interval over common seeds is narrower than the unpaired one', async () => {
    const c = await service.compareTrials({ studyId: gridId, a: 0, b: 1 });
    expect(c.n).toBe(256);
    expect(c.unit).toBe('sample');
    expect(c.a.unmatched + c.b.unmatched).toBe(0);
    expect(c.paired.mean).toBeCloseTo(c.unpaired.mean, 12);
    console.info(`compare #0 - #1 on gmm-2d (256 seeds): paired ±${c.paired.halfWidth.toPrecision(3)} vs unpaired ±${c.unpaired.halfWidth.toPrecision(3)}, variance ratio ${c.paired.varianceRatio?.toPrecision(3)}`);
    expect(c.paired.halfWidth).toBeLessThan(c.unpaired.halfWidth);
    expect(c.paired.varianceRatio!).toBeGreaterThan(1);
    const trials = await db.trial.findMany({ where: { studyId: gridId }, orderBy: { number: 'asc' } });
    expect(c.a.mean - c.b.mean).toBeCloseTo(trials[0].value! - trials[1].value!, 9);
    const r = await cli('compare', gridId, '0', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('trial #0 - trial #1, rmse (minimize), on 256 common samples:');
    expect(r.out).toMatch(/\n {2}paired {4}/);
    // Clear errors: the same trial twice; a number the study does not have.
    await expect(service.compareTrials({ studyId: gridId, a: 1, b: 1 })).rejects.toThrow(/b: compare trial #1 with another trial/);
    await expect(service.compareTrials({ studyId: gridId, a: 0, b: 7 })).rejects.toThrow(/trial #7 not found/);
  });

  it('pairs values only where seed stream and sample index agree', async () => {
    // The grid's blocks record their seed stream (11, the study seed).
    const block = await db.trialBlock.findFirstOrThrow({ where: { trial: { studyId: gridId } } });
    expect((block.stats as { seed: number }).seed).toBe(11);
    const a = seedValues([{ blockIndex: 0, seedStart: 0, seedEnd: 4, stats: { seed: 11 }, values: [1, 2, 3, 4] }], 0);
    const b = seedValues([{ blockIndex: 0, seedStart: 4, seedEnd: 8, stats: {}, values: [1, 2, 3, 4] }, { blockIndex: 1, seedStart: 8, seedEnd: 16, stats: {} }], 11);
    const holdout = seedValues([{ blockIndex: 0, seedStart: 0, seedEnd: 4, stats: { seed: 99 }, values: [1, 2, 3, 4] }], 11);
    expect(a.values.map((v) => v.seed)).toEqual([0, 1, 2, 3].map((i) => pairKey(11, i)));
    expect(b.values.map((v) => v.seed)).toEqual([4, 5, 6, 7].map((i) => pairKey(11, i)));
    expect(b.blocksWithout).toBe(1);
    // Same sample indices from another seed stream (an s3 study's holdout): nothing in common.
    expect(holdout.values.filter((v) => a.values.some((u) => u.seed === v.seed))).toEqual([]);
    // Set metrics: one value per set of 64 samples, keyed by the set's first sample.
    expect(seedValues([{ blockIndex: 0, seedStart: 128, seedEnd: 256, stats: { seed: 3 }, values: [5, 6] }], 0).values).toEqual([{ seed: pairKey(3, 128), value: 5 }, { seed: pairKey(3, 192), value: 6 }]);
  });

  it('stepwise export writes the schedule as one JSON column in CSV and whole in JSON', async () => {
    const csv = await cli('export', gridId, '--format', 'csv');
    expect(csv.code, csv.err).toBe(0);
    const [header, ...rows] = csv.out.trimEnd().split('\n');
    const col = header.split(',').indexOf('param.schedule');
    expect(col).toBeGreaterThan(0);
    // The JSON field is quoted (it has commas and quotes): unquote it and parse it back.
    const field = /^(?:[^,"]*,){7}"((?:[^"]|"")*)"/.exec(rows[0]);
    expect(field, rows[0]).not.toBeNull();
    expect(JSON.parse(field![1].replace(/""/g, '"'))).toEqual(fast);
    const json = await cli('export', gridId, '--format', 'json');
    const doc = JSON.parse(json.out) as Array<{ number: number; params: { schedule: unknown } }>;
    expect(doc.map((t) => t.params.schedule)).toEqual([fast, singlestep]);
  });

  it('evaluate candidates: a schedule inline and one from a file (read by the CLI) race a preset; a bad schedule is refused at launch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-schedule-params-cli-'));
    writeFileSync(join(dir, 'singlestep.json'), JSON.stringify(singlestep));
    const config = {
      name: 'evaluate schedules', kind: 'evaluate', seed: 12,
      objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 64, maxSamples: 128, blockSize: 64 } },
      candidates: [{ schedule: fast }, { schedule: 'singlestep.json' }, { preset: 'dpmpp-2m', nfe: 3 }],
      budget: { trials: 3, parallel: 3 },
    };
    writeFileSync(join(dir, 'study.json'), JSON.stringify(config));
    const launched = await cli('launch', join(dir, 'study.json'), '--json');
    expect(launched.code, launched.err).toBe(0);
    const id = (JSON.parse(launched.out) as { id: string }).id;
    const done = await waitForStatus(service, id, ['completed', 'failed', 'cancelled'], 300_000);
    expect(done.status, done.error ?? '').toBe('completed');
    const trials = await db.trial.findMany({ where: { studyId: id }, orderBy: { number: 'asc' } });
    expect(trials.map((t) => (t.params as { schedule?: unknown }).schedule)).toEqual([fast, singlestep, undefined]);
    expect(trials.map((t) => t.costNfe)).toEqual([3, 4, 3]);

    // A bad schedule: refused with the field path inside the candidate, and nothing written.
    const before = await db.study.count();
    const bad = { ...singlestep, steps: [{ prediction: 'data', order: 3 }, ...singlestep.steps.slice(1)] };
    const early = { ...fast, timesteps: { spacing: 'explicit', values: [1, 0.35, 0.08, 0.01] } };
    const err = await service.launchStudy({ source: 'client', config: { ...config, candidates: [{ schedule: fast }, { schedule: bad }, { schedule: early }] } }).catch((e: unknown) => e);
    const fields = (err as { issues: Array<{ field: string; message: string }> }).issues;
    expect(fields.map((i) => i.field)).toContain('candidates.1.schedule.steps.0.order');
    expect(fields).toContainEqual({ field: 'candidates.2.schedule.timesteps', message: expect.stringMatching(/ends at t = 0\.01 but the study's end time is 0\.001/) });
    expect(await db.study.count()).toBe(before);
  });
});
