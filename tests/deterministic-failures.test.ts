import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { Db } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service';
import type { ManagedProcess } from '../infra/stack/processes';
import { connectService, waitForStatus } from './support/service';
import { startCompute, startOrchestrator, stopProcess, testWorkerEnv } from './support/workers';

/**
 * A failure every worker would repeat is not retried: a sampler study on a file that is not an
 * ONNX model ends `failed` with the worker's reason, after one attempt per trial, instead of ten
 * retries per block (about a minute) and then a `completed` study of failed trials.
 *
 * With a compute worker up, launch refuses such a model (tests/validation.test.ts). This is the
 * path where none answers the launch check: the study is launched unchecked, and the worker that
 * comes up later finds the model broken.
 */

const modelDir = join('.data', 'test', 'models-deterministic');
mkdirSync(modelDir, { recursive: true });
writeFileSync(join(modelDir, 'not-a-model.onnx'), 'this is not a protobuf\n');
const w = testWorkerEnv('deterministic');
const live: ManagedProcess[] = [];
let stack: { service: StepwiseService; db: Db; temporal: Client; close: () => Promise<void> };

beforeAll(async () => {
  live.push(await startOrchestrator(w, 'deterministic-orch'));
  stack = await connectService(w);
});

afterAll(async () => {
  await Promise.all(live.map((p) => stopProcess(p)));
  await stack?.close();
});

describe('deterministic compute failures', () => {
  it('a study on a broken model file fails at once with the reason, leaving no trial running', async () => {
    const launched = await stack.service.launchStudy({
      source: 'client',
      config: {
        name: 'broken-model', kind: 'grid',
        objective: { type: 'sampler', model: 'not-a-model.onnx', metric: 'rmse', estimation: { minSamples: 8, maxSamples: 8, blockSize: 8 } },
        space: [{ type: 'categorical', name: 'nfe', choices: [4, 5, 6, 7] }],
        budget: { trials: 4, parallel: 2 },
      },
    });
    live.push(await startCompute(w, 'deterministic-compute', { STEPWISE_MODEL_DIR: modelDir }));
    const done = await waitForStatus(stack.service, launched.id, ['completed', 'failed', 'cancelled'], 120_000);
    expect(done.status).toBe('failed');
    expect(done.error ?? '').toMatch(/not-a-model\.onnx/);
    expect(await stack.db.trial.count({ where: { studyId: launched.id, status: { in: ['running', 'pending'] } } })).toBe(0);
    // Not retried: every compute activity in the workflow's history started exactly once.
    const row = await stack.db.study.findUniqueOrThrow({ where: { id: launched.id } });
    const history = await stack.temporal.workflow.getHandle(row.workflowId!).fetchHistory();
    const started = (history.events ?? []).flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : []));
    const failedCompute = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes).length;
    expect(failedCompute).toBeGreaterThan(0);
    expect(started.every((attempt) => attempt === 1)).toBe(true);
  });
});
