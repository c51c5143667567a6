import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_COMPUTE_ERRORS } from '@stepwise/core';
import { createDescribeModel } from './describe-model';

/** describeModel on real models (onnxruntime on the CPU): what the launch check and S^3 read. */
let modelDir: string;
beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-describe-'));
  await fs.writeFile(path.join(modelDir, 'junk.onnx'), 'not a protobuf at all\n');
});
afterAll(async () => {
  await fs.rm(modelDir, { recursive: true, force: true });
});

const describeModel = () => createDescribeModel({ identity: 'w1', modelDir, device: 'cpu' });

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('describeModel', () => {
  it('describes a built-in testbed: its dimension, noise schedule and conditioning', async () => {
    const d = await describeModel()({ model: 'gmm-2d' });
    expect(d).toMatchObject({ model: 'gmm-2d', kind: 'gmm', dim: 2, shape: [2], conditional: false, worker: 'w1' });
    expect(['vp-linear', 'vp-cosine', 'ddpm-discrete']).toContain(d.noiseSchedule);
    expect(d.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.classes).toBeUndefined();
  });

  it('refuses a missing model and a file that is not ONNX, non-retryably, naming the model', async () => {
    const missing = await failure(describeModel()({ model: 'my-model' }));
    expect(missing.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.model);
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toMatch(/^model: model file 'my-model' not found in /);
    const junk = await failure(describeModel()({ model: 'junk.onnx' }));
    expect(junk.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.model);
    expect(junk.message).toMatch(/^model: junk\.onnx: not an ONNX model/);
    const outside = await failure(describeModel()({ model: '../etc/passwd' }));
    expect(outside.message).toMatch(/must not contain '\.\.'/);
  });
});
