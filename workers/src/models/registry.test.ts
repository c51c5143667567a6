import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, TensorDataType, type Dim } from './onnx-graph';
import { inspectModelBytes, modelDirFromEnv, ModelContractError, parseShape, registerModelFile, resolveModelPath } from './registry';
import { sha256Hex } from './gmm-onnx';
import { getTestbed } from './testbeds';

const F = TensorDataType.FLOAT, I64 = TensorDataType.INT64;
const GOOD_META = { 'stepwise.schedule': 'vp-linear', 'stepwise.prediction': 'noise', 'stepwise.shape': '[4]' };

interface Spec {
  x?: [number, Dim[]] | null;
  t?: [number, Dim[]] | null;
  y?: [number, Dim[]];
  extra?: string;
  out?: [number, Dim[]];
  metadata?: Record<string, string>;
}

/** eps = x * t (t broadcast per row): a tiny valid-or-not model. */
function tinyModel(spec: Spec = {}): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = spec.x === null ? null : g.input('x', (spec.x ?? [F, ['B', 4]])[0], (spec.x ?? [F, ['B', 4]])[1]);
  const t = spec.t === null ? null : g.input('t', (spec.t ?? [F, ['B']])[0], (spec.t ?? [F, ['B']])[1]);
  if (spec.y) g.input('y', spec.y[0], spec.y[1]);
  if (spec.extra) g.input(spec.extra, F, ['B']);
  const out = spec.out ?? [F, ['B', 4]];
  g.output('eps', out[0], out[1]);
  const a = x ?? g.constFloat('x0', [0, 0, 0, 0], [1, 4]);
  const tt = t ? g.op('Unsqueeze', [g.op('Cast', [t], { to: { int: F } }), g.constInt64('ax', [1])]) : g.scalar(1);
  g.op('Mul', [a, tt], {}, 'eps');
  return g.toModel({ metadata: spec.metadata ?? GOOD_META });
}

describe('model contract validation', () => {
  it('accepts a valid model and reports what the sampler needs', () => {
    expect(inspectModelBytes(tinyModel())).toMatchObject({ kind: 'onnx', schedule: 'vp-linear', prediction: 'noise', shape: [4], dim: 4, conditional: false, outputName: 'eps' });
    expect(inspectModelBytes(tinyModel({ y: [I64, ['B']] })).conditional).toBe(true);
  });

  const bad: Array<[string, Spec, RegExp]> = [
    ['wrong t dtype', { t: [I64, ['B']] }, /input 't' must be float32 \[B\], got int64 \[B\]/],
    ['t with two dims', { t: [F, ['B', 1]] }, /input 't' must be float32 \[B\], got float32 \[B,1\]/],
    ['missing t', { t: null }, /no input 't'/],
    ['missing x', { x: null }, /no input 'x' \(float32 \[B, \.\.\.\]\); its inputs are 't'/],
    ['x as float64', { x: [TensorDataType.DOUBLE, ['B', 4]] }, /input 'x' must be float32 \[B, \.\.\.\].*got float64 \[B,4\]/],
    ['x with a fixed batch', { x: [F, [1, 4]] }, /input 'x' .*free batch dimension, got float32 \[1,4\]/],
    ['x disagreeing with stepwise.shape', { x: [F, ['B', 5]], out: [F, ['B', 5]] }, /input 'x' is float32 \[B,5\] but metadata 'stepwise.shape' is \[4\]/],
    ['y as float', { y: [F, ['B']] }, /input 'y' \(class labels\) must be int64 \[B\], got float32 \[B\]/],
    ['an unexpected input', { extra: 'guidance' }, /unexpected input 'guidance'/],
    ['an int output', { out: [I64, ['B', 4]] }, /output 'eps' must be float32/],
    ['missing stepwise.schedule', { metadata: { 'stepwise.prediction': 'noise', 'stepwise.shape': '[4]' } }, /metadata_props is missing 'stepwise.schedule' \(one of vp-linear, vp-cosine, ddpm-discrete\)/],
    ['missing stepwise.prediction', { metadata: { 'stepwise.schedule': 'vp-linear', 'stepwise.shape': '[4]' } }, /missing 'stepwise.prediction'/],
    ['missing stepwise.shape', { metadata: { 'stepwise.schedule': 'vp-linear', 'stepwise.prediction': 'noise' } }, /missing 'stepwise.shape'/],
    ['unknown schedule', { metadata: { ...GOOD_META, 'stepwise.schedule': 'edm' } }, /'stepwise.schedule' must be one of .* got 'edm'/],
    ['score prediction (not in the contract)', { metadata: { ...GOOD_META, 'stepwise.prediction': 'score' } }, /'stepwise.prediction' must be one of noise, data, v, got 'score'/],
    ['malformed shape', { metadata: { ...GOOD_META, 'stepwise.shape': '[4, -1]' } }, /'stepwise.shape' must list positive integers/],
  ];
  for (const [what, spec, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => inspectModelBytes(tinyModel(spec))).toThrow(ModelContractError);
      expect(() => inspectModelBytes(tinyModel(spec))).toThrow(message);
    });
  }

  it('rejects bytes that are not ONNX', () => {
    expect(() => inspectModelBytes(new TextEncoder().encode('definitely not protobuf'))).toThrow(/not an ONNX model/);
  });

  it('parses stepwise.shape leniently but strictly numeric', () => {
    expect(parseShape('[3,32,32]')).toEqual([3, 32, 32]);
    expect(parseShape(' [ 3, 32 ,32 ] ')).toEqual([3, 32, 32]);
    expect(parseShape('64')).toEqual([64]);
    for (const s of ['[]', '[3.5]', '[0]', 'abc', '[3,,2]']) expect(parseShape(s)).toBeNull();
  });
});

describe('model files stay inside the model directory', () => {
  let root: string, modelDir: string;
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'stepwise-registry-'));
    modelDir = path.join(root, 'models');
    await fs.mkdir(path.join(modelDir, 'sub'), { recursive: true });
    await fs.writeFile(path.join(modelDir, 'sub', 'good.onnx'), tinyModel());
    await fs.writeFile(path.join(modelDir, 'bad.onnx'), tinyModel({ t: [I64, ['B']] }));
    await fs.writeFile(path.join(root, 'outside.onnx'), tinyModel());
    await fs.symlink(path.join(root, 'outside.onnx'), path.join(modelDir, 'escape.onnx'));
    await fs.symlink(root, path.join(modelDir, 'up'));
    await fs.symlink(path.join(modelDir, 'sub', 'good.onnx'), path.join(modelDir, 'alias.onnx'));
  });
  afterAll(async () => fs.rm(root, { recursive: true, force: true }));

  it('registers a valid file with its sha256', async () => {
    const m = await registerModelFile(modelDir, 'sub/good.onnx');
    expect(m.sha256).toBe(sha256Hex(await fs.readFile(path.join(modelDir, 'sub', 'good.onnx'))));
    expect(m.relativePath).toBe('sub/good.onnx');
    expect(m.sizeBytes).toBeGreaterThan(0);
    // A symlink that stays inside is fine and resolves to its target.
    expect((await registerModelFile(modelDir, 'alias.onnx')).relativePath).toBe('sub/good.onnx');
  });

  it('rejects .., absolute paths and symlinks that escape, naming the path', async () => {
    await expect(resolveModelPath(modelDir, '../outside.onnx')).rejects.toThrow(/'\.\.\/outside\.onnx' must not contain '\.\.'/);
    await expect(resolveModelPath(modelDir, 'sub/../../outside.onnx')).rejects.toThrow(/must not contain '\.\.'/);
    await expect(resolveModelPath(modelDir, path.join(root, 'outside.onnx'))).rejects.toThrow(/must be relative to the model directory/);
    await expect(resolveModelPath(modelDir, 'escape.onnx')).rejects.toThrow(/resolves to .*outside\.onnx, outside the model directory/);
    await expect(resolveModelPath(modelDir, 'up/outside.onnx')).rejects.toThrow(/outside the model directory/);
    await expect(resolveModelPath(modelDir, 'missing.onnx')).rejects.toThrow(/'missing\.onnx' not found/);
    await expect(resolveModelPath(modelDir, 'sub')).rejects.toThrow(/not a regular file/);
    await expect(resolveModelPath(modelDir, '')).rejects.toThrow(/empty/);
  });

  it('prefixes contract errors with the file', async () => {
    await expect(registerModelFile(modelDir, 'bad.onnx')).rejects.toThrow(/^bad\.onnx: input 't' must be float32 \[B\], got int64 \[B\]$/);
  });

  it('reads STEPWISE_MODEL_DIR, defaulting to .data/models', () => {
    expect(modelDirFromEnv({ STEPWISE_MODEL_DIR: '/srv/models' })).toBe('/srv/models');
    expect(modelDirFromEnv({})).toBe(path.resolve('.data/models'));
  });

  it('accepts every built-in testbed', () => {
    for (const name of ['gaussian-1', 'gmm-2d', 'gmm-64d'] as const) {
      const tb = getTestbed(name);
      expect(inspectModelBytes(tb.onnx().bytes)).toMatchObject({ kind: 'gmm', shape: tb.shape, schedule: 'vp-linear', prediction: 'noise' });
    }
  });
});
