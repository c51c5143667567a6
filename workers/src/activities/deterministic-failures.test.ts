import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPresetSchedule, NON_RETRYABLE_COMPUTE_ERRORS, ZSamplerObjective, type SampleGridInput, type SamplerBlockInput } from '@stepwise/core';
import { GraphBuilder, TensorDataType } from '../models/onnx-graph';
import { releaseSessions } from '../models/runtime';
import { evaluateFunctionBatch } from './function-batch';
import { createRenderSampleGrid } from './sample-grid';
import { createEvaluateSamplerBlock } from './sampler-block';
import { inActivityContext } from './test-context';

/**
 * Deterministic failures end an activity non-retryably, typed from NON_RETRYABLE_COMPUTE_ERRORS,
 * with a message that says what is wrong and what to do; machine trouble stays retryable. Real
 * ONNX files (written with the project's graph builder) through real onnxruntime.
 */

let modelDir: string;
const META = { 'stepwise.schedule': 'vp-linear', 'stepwise.prediction': 'noise', 'stepwise.shape': '[3]' };

/** A model that meets the contract on paper (x [B,3], t [B] -> eps [B,3]); `body` computes eps. */
function contractModel(body: (g: GraphBuilder, x: string) => string, opts: { opset?: number } = {}): Uint8Array {
  const g = new GraphBuilder('broken');
  const x = g.input('x', TensorDataType.FLOAT, ['B', 3]);
  g.input('t', TensorDataType.FLOAT, ['B']);
  g.output('eps', TensorDataType.FLOAT, ['B', 3]);
  g.op('Identity', [body(g, x)], {}, 'eps');
  return g.toModel({ metadata: META, opset: opts.opset });
}

beforeAll(async () => {
  modelDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-failures-'));
  const files: Record<string, Uint8Array> = {
    'garbage.onnx': new TextEncoder().encode('this is not a protobuf, let alone an ONNX graph'),
    'unknown-op.onnx': contractModel((g, x) => g.op('FooBar', [x])),
    'custom-domain.onnx': (() => {
      const g = new GraphBuilder('custom');
      const x = g.input('x', TensorDataType.FLOAT, ['B', 3]);
      g.input('t', TensorDataType.FLOAT, ['B']);
      g.output('eps', TensorDataType.FLOAT, ['B', 3]);
      g.nodes.push({ opType: 'Thing', domain: 'com.acme', name: 'thing', input: [x], output: ['eps'] });
      return g.toModel({ metadata: META });
    })(),
    'future-opset.onnx': contractModel((g, x) => g.mul(x, g.scalar(0.5)), { opset: 99 }),
    // Reshape [B, 3] to [-1, 5] (and back): loads, then fails on a batch of 8.
    'bad-reshape.onnx': contractModel((g, x) => g.op('Reshape', [g.op('Reshape', [x, g.constInt64('shape', [-1, 5])]), g.constInt64('back', [-1, 3])])),
    // Reshape [B, 3] to [-1, 4]: runs, but its output is not the shape of x.
    'wrong-output.onnx': contractModel((g, x) => g.op('Reshape', [x, g.constInt64('shape', [-1, 4])])),
    // log(0 * x - 1) = log(-1) = NaN for every input.
    'nan.onnx': contractModel((g, x) => g.op('Log', [g.sub(g.mul(x, g.scalar(0)), g.scalar(1))])),
    // x / (x - x): 0/0 or +-Inf.
    'div-zero.onnx': contractModel((g, x) => g.div(x, g.sub(x, x))),
    // Asks for a 4 PiB buffer on every run: an allocation failure, which is the machine's problem.
    'huge.onnx': contractModel((g, x) => g.add(x, g.op('ReduceSum', [g.op('ConstantOfShape', [g.constInt64('s', [1 << 20, 1 << 20, 1 << 10])])], { keepdims: { int: 0 } }))),
  };
  for (const [name, bytes] of Object.entries(files)) await fs.writeFile(path.join(modelDir, name), bytes);
});

afterAll(async () => {
  await releaseSessions();
  await fs.rm(modelDir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

function block(model: string, overrides: Partial<SamplerBlockInput> = {}): SamplerBlockInput {
  return { objective: ZSamplerObjective.parse({ type: 'sampler', model, preset: 'ddim', nfe: 4, metric: 'rmse' }), seed: 1, start: 0, end: 8, ...overrides };
}

describe('evaluateSamplerBlock: deterministic failures are not retried', () => {
  const evaluate = () => createEvaluateSamplerBlock({ identity: 'w', modelDir, device: 'cpu', maxSamplesPerActivity: 1000 });

  it.each([
    ['missing.onnx', /objective\.model: model file 'missing\.onnx' not found in .*\(fix or re-register the model, or name another one\)/],
    ['garbage.onnx', /objective\.model: garbage\.onnx: not an ONNX model \(protobuf decode failed/],
    ['unknown-op.onnx', /^model unknown-op\.onnx: unsupported operator FooBar \(onnxruntime has no kernel for it at opset 17\): re-export the model with standard ONNX operators/],
    ['custom-domain.onnx', /^model custom-domain\.onnx: operator Thing from custom domain 'com\.acme' is not available in onnxruntime/],
    ['future-opset.onnx', /^model future-opset\.onnx: stamped with opset 99, newer than this onnxruntime supports \(up to opset \d+\): re-export the model with opset <= \d+$/],
    ['bad-reshape.onnx', /^model bad-reshape\.onnx: node 'Reshape_0' \(Reshape\) fails on inputs of the contract's shapes \(x \[8, 3\], t \[8\]\): .*cannot be reshaped.*; fix the graph/],
    ['wrong-output.onnx', /^model wrong-output\.onnx: output 'eps' has size 4 in dimension 1 where the contract needs 3 \(the shape of x: x \[8, 3\], t \[8\]\): fix the graph/],
    ['nan.onnx', /^model nan\.onnx: outputs NaN for finite inputs \(row 0 of 8, element 0, t = [\d.]+\): the graph is numerically broken there/],
    ['div-zero.onnx', /^model div-zero\.onnx: outputs (NaN|-?Infinity) for finite inputs/],
  ])('%s: ModelError', async (model, message) => {
    const err = await failure(inActivityContext(() => evaluate()(block(model))));
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.model);
    expect(err.message).toMatch(message);
  });

  it('an allocation failure stays retryable', async () => {
    const err = await inActivityContext(() => evaluate()(block('huge.onnx'))).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Failed to allocate memory/);
    expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);
  });

  it('invalid requests: InvalidComputeInput', async () => {
    const run = evaluate();
    for (const [input, message] of [
      [block('gmm-2d', { start: 8, end: 8 }), /start and end must be integers with 0 <= start < end, got 8\.\.8/],
      [block('gmm-2d', { seed: 1.5 }), /seed must be an integer, got 1\.5/],
      [block('gmm-2d', { start: -1 }), /start and end must be integers with 0 <= start < end, got -1\.\.8/],
    ] as const) {
      const err = await failure(inActivityContext(() => run(input)));
      expect(err.nonRetryable).toBe(true);
      expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.input);
      expect(err.message).toMatch(message);
    }
    // A schedule for another noise schedule than the model's.
    const objective = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-2d', metric: 'nll', schedule: buildPresetSchedule('ddim', 2, { noiseSchedule: 'vp-cosine' }) });
    const err = await failure(inActivityContext(() => run({ objective, seed: 1, start: 0, end: 4 })));
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.input);
    expect(err.message).toMatch(/objective\.schedule\.noiseSchedule is "vp-cosine" but model gmm-2d was trained with "vp-linear"/);
  });

  it(`a block over STEPWISE_MAX_SAMPLES_PER_ACTIVITY: ComputeLimitExceeded, before any work`, async () => {
    const err = await failure(inActivityContext(() => evaluate()(block('missing.onnx', { start: 0, end: 1001 }))));
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.limit);
    expect(err.message).toBe(
      "a block of 1001 samples (0..1000) exceeds this worker's cap of 1000 samples per activity (STEPWISE_MAX_SAMPLES_PER_ACTIVITY): use smaller blocks (estimation.blockSize) or raise the variable on the compute workers",
    );
  });

  it('a good model at the cap still evaluates', async () => {
    const run = createEvaluateSamplerBlock({ identity: 'w', modelDir, device: 'cpu', maxSamplesPerActivity: 8 });
    const objective = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-2d', preset: 'ddim', nfe: 4, metric: 'nll' });
    const out = await inActivityContext(() => run({ objective, seed: 1, start: 0, end: 8 }), { attempt: 3 });
    expect(out.stats.n).toBe(8);
    expect(out.attempt).toBe(3);
    expect(Number.isFinite(out.stats.mean)).toBe(true);
  });
});

describe('renderSampleGrid', () => {
  const grid = (input: Partial<SampleGridInput>) => {
    const render = createRenderSampleGrid({ modelDir, device: 'cpu', maxSamplesPerActivity: 64 });
    return inActivityContext(() => render({ model: 'gmm-2d', preset: 'ddim', nfe: 4, count: 16, seed: 1, ...input }));
  };

  it('refuses more samples than the cap, naming the variable', async () => {
    const err = await failure(grid({ count: 65 }));
    expect(err.nonRetryable).toBe(true);
    expect(err.type).toBe(NON_RETRYABLE_COMPUTE_ERRORS.limit);
    expect(err.message).toMatch(/count 65 exceeds this worker's cap of 64 samples per activity \(STEPWISE_MAX_SAMPLES_PER_ACTIVITY\)/);
  });

  it('broken models: ModelError; bad requests: InvalidComputeInput', async () => {
    for (const [model, message] of [
      ['missing.onnx', /model file 'missing\.onnx' not found/],
      ['unknown-op.onnx', /unsupported operator FooBar/],
      ['nan.onnx', /^model nan\.onnx: outputs NaN for finite inputs/],
    ]) {
      const err = await failure(grid({ model: model as string }));
      expect([err.nonRetryable, err.type]).toEqual([true, NON_RETRYABLE_COMPUTE_ERRORS.model]);
      expect(err.message).toMatch(message);
    }
    for (const [input, message] of [
      [{ nfe: 0 }, /nfe must be a positive integer, got 0/],
      [{ preset: 'euler-typo' }, /preset: unknown preset "euler-typo"/],
      [{ label: 3 }, /guidance and label need a class-conditional model/],
      [{ count: 0 }, /count must be a positive integer, got 0/],
    ] as const) {
      const err = await failure(grid(input));
      expect([err.nonRetryable, err.type]).toEqual([true, NON_RETRYABLE_COMPUTE_ERRORS.input]);
      expect(err.message).toMatch(message);
    }
    const ok = await grid({});
    expect(ok.shape).toEqual([16, 2]);
  });

  it('heartbeats while the first dpm-solver-v3 grid computes the model statistics, and not once they are cached', async () => {
    const render = createRenderSampleGrid({ modelDir, device: 'cpu', maxSamplesPerActivity: 64 });
    const input = { model: 'gmm-2d', preset: 'dpm-solver-v3', nfe: 6, count: 16, seed: 1 };
    const first: unknown[] = [], second: unknown[] = [];
    const a = await inActivityContext(() => render(input), { heartbeats: first });
    expect(a.shape).toEqual([16, 2]);
    expect(first.length).toBeGreaterThan(0);
    expect(first).toContainEqual({ phase: 'calibrate' });
    const b = await inActivityContext(() => render(input), { heartbeats: second });
    expect(b.pngBase64).toBe(a.pngBase64);
    expect(second.length).toBeLessThan(first.length);
  });
});

describe('evaluateFunctionBatch', () => {
  it('an unknown function or a point of the wrong dimension: InvalidComputeInput', async () => {
    const cases = [
      [{ function: 'branin-typo', noiseStd: 0, seed: 1, points: [{ number: 0, x: [1, 2] }] }, /function: unknown test function "branin-typo" \(one of branin, /],
      [{ function: 'branin', noiseStd: 0, seed: 1, points: [{ number: 0, x: [1, 2, 3] }] }, /points\[0\]\.x has 3 coordinates; branin takes 2/],
      [{ function: 'branin', noiseStd: -1, seed: 1, points: [] }, /noiseStd must be a finite number >= 0, got -1/],
    ] as const;
    for (const [input, message] of cases) {
      const err = await failure(inActivityContext(() => evaluateFunctionBatch(input as never, 'w')));
      expect([err.nonRetryable, err.type]).toEqual([true, NON_RETRYABLE_COMPUTE_ERRORS.input]);
      expect(err.message).toMatch(message);
    }
    const ok = await inActivityContext(() => evaluateFunctionBatch({ function: 'branin', noiseStd: 0, seed: 1, points: [{ number: 0, x: [Math.PI, 2.275] }] }, 'w'));
    expect(ok.results[0].value).toBeCloseTo(0.397887, 5);
  });
});
