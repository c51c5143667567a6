import { afterAll, describe, expect, it } from 'vitest';
import { getNoiseSchedule, gmmEps } from '@stepwise/core';
import { GraphBuilder, TensorDataType } from './onnx-graph';
import { chunkRanges, createOnnxDenoiser, getSession, ortThreadsFromEnv, parseDevice, releaseSessions, runModel } from './runtime';
import { getTestbed } from './testbeds';

afterAll(releaseSessions);

/** out = 0.5 x, declared as a data (x0) prediction; optionally class-conditional (adds y as float). */
function halfModel(conditional = false): Uint8Array {
  const g = new GraphBuilder('half');
  const x = g.input('x', TensorDataType.FLOAT, ['B', 3]);
  g.input('t', TensorDataType.FLOAT, ['B']);
  g.output('x0', TensorDataType.FLOAT, ['B', 3]);
  let out = g.mul(x, g.scalar(0.5));
  if (conditional) {
    const y = g.input('y', TensorDataType.INT64, ['B']);
    out = g.add(out, g.op('Unsqueeze', [g.op('Cast', [y], { to: { int: TensorDataType.FLOAT } }), g.constInt64('ax', [1])]));
  }
  g.op('Identity', [out], {}, 'x0');
  return g.toModel({ metadata: { 'stepwise.schedule': 'vp-linear', 'stepwise.prediction': 'data', 'stepwise.shape': '[3]' } });
}

describe('device and thread settings', () => {
  it('parses devices', () => {
    expect(parseDevice('cpu')).toEqual({ kind: 'cpu', deviceId: 0 });
    expect(parseDevice('CUDA:3')).toEqual({ kind: 'cuda', deviceId: 3 });
    expect(parseDevice('cuda')).toEqual({ kind: 'cuda', deviceId: 0 });
    expect(parseDevice('auto')).toEqual({ kind: 'auto', deviceId: 0 });
    expect(() => parseDevice('gpu')).toThrow(/unknown device "gpu"/);
    expect(() => parseDevice('cuda:x')).toThrow(/unknown device/);
  });

  it('reads STEPWISE_ORT_THREADS', () => {
    expect(ortThreadsFromEnv({})).toBeUndefined();
    expect(ortThreadsFromEnv({ STEPWISE_ORT_THREADS: '2' })).toBe(2);
    expect(() => ortThreadsFromEnv({ STEPWISE_ORT_THREADS: '0' })).toThrow(/positive integer/);
    expect(() => ortThreadsFromEnv({ STEPWISE_ORT_THREADS: 'many' })).toThrow(/positive integer/);
  });

  it('auto picks CUDA when it loads, else CPU, and says which in one log line', async () => {
    const lines: string[] = [];
    const s = await getSession({ bytes: halfModel() }, { device: 'auto', threads: 1, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/device auto -> (cpu \(CUDA execution provider unavailable: .+\)|cuda:0 \(CUDA execution provider loaded\))/);
    expect(lines[0].includes('-> cuda:0')).toBe(s.provider === 'cuda');
    // The decision is made once per process.
    await getSession({ bytes: getTestbed('gmm-2d').onnx().bytes }, { device: 'auto', threads: 1, log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
  });

  it('an explicit cuda device never falls back silently', async () => {
    const attempt = getSession({ bytes: halfModel() }, { device: 'cuda:0', threads: 1 });
    const s = await attempt.catch((err: Error) => err);
    if (s instanceof Error) expect(s.message).toMatch(/device cuda:0: the CUDA execution provider could not be loaded/);
    else expect(s.provider).toBe('cuda');
  });
});

describe('sessions and batching', () => {
  it('caches one session per (model, device, threads)', async () => {
    const bytes = getTestbed('gmm-2d').onnx().bytes;
    const [a, b] = await Promise.all([getSession({ bytes }, { device: 'cpu', threads: 1 }), getSession({ bytes }, { device: 'cpu', threads: 1 })]);
    expect(a).toBe(b);
    const c = await getSession({ bytes }, { device: 'cpu', threads: 2 });
    expect(c).not.toBe(a);
    expect(a.inputNames).toEqual(['x', 't']);
  });

  it('splits a batch into maxBatch chunks with identical results', async () => {
    expect(chunkRanges(10, 4)).toEqual([[0, 4], [4, 8], [8, 10]]);
    expect(chunkRanges(0, 4)).toEqual([]);
    const tb = getTestbed('gmm-64d');
    const model = await getSession({ bytes: tb.onnx().bytes }, { threads: 1 });
    const x = Float32Array.from({ length: 37 * 64 }, (_, i) => Math.sin(i));
    const t = Float32Array.from({ length: 37 }, (_, i) => 0.02 + i / 40);
    const whole = await runModel(model, x, t, 37, { shape: tb.shape });
    const chunked = await runModel(model, x, t, 37, { shape: tb.shape, maxBatch: 5 });
    expect(Array.from(chunked)).toEqual(Array.from(whole));
    await expect(runModel(model, x.subarray(1), 0.5, 37, { shape: tb.shape })).rejects.toThrow(/expected batch\*dim/);
  });

  it('the Denoiser wrapper returns eps for noise models and converts data predictions', async () => {
    const noise = getNoiseSchedule('vp-linear');
    const tb = getTestbed('gmm-2d');
    const gmmModel = await getSession({ bytes: tb.onnx().bytes }, { threads: 1 });
    const den = createOnnxDenoiser({ model: gmmModel, shape: tb.shape, prediction: 'noise', noise, maxBatch: 3 });
    const x = Float32Array.from([0.1, 2, -1.9, 0.3, 1.5, 1.2, 0, 0, -2, -2]);
    const eps = await den(x, 0.4, 5);
    const ref = gmmEps(tb.gmm, noise, x, Math.fround(0.4));
    for (let i = 0; i < x.length; i++) expect(eps[i]).toBeCloseTo(ref[i], 5);

    const half = await getSession({ bytes: halfModel() }, { threads: 1 });
    const dataDen = createOnnxDenoiser({ model: half, shape: [3], prediction: 'data', noise });
    const xs = Float32Array.from([1, -2, 3, 0.5, 0.25, -4]);
    const t = 0.3, a = noise.alpha(t), s = noise.sigma(t);
    const e = await dataDen(xs, t, 2);
    for (let i = 0; i < xs.length; i++) expect(e[i]).toBeCloseTo((xs[i] - a * 0.5 * xs[i]) / s, 5);
  });

  it('feeds class labels to conditional models and insists on them', async () => {
    const model = await getSession({ bytes: halfModel(true) }, { threads: 1 });
    const x = new Float32Array(6).fill(2);
    const out = await runModel(model, x, 0.5, 2, { shape: [3], labels: BigInt64Array.from([3n, 7n]), maxBatch: 1 });
    expect(Array.from(out)).toEqual([4, 4, 4, 8, 8, 8]);
    await expect(runModel(model, x, 0.5, 2, { shape: [3] })).rejects.toThrow(/class-conditional/);
  });
});
