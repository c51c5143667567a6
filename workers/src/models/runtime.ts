import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { asNoisePredictor, type Denoiser, type ModelPrediction, type NoiseSchedule } from '@stepwise/core';
import { classifyOrtError, ComputeError } from './errors';
import { sha256Hex } from './gmm-onnx';

/**
 * onnxruntime-node sessions, cached per (model sha256, device, threads), and the Denoiser the
 * USF sampler calls. Devices: `cpu`, `cuda` / `cuda:N`, and `auto` (CUDA when its execution
 * provider loads, else CPU, said once in the log). An explicit `cuda:N` that cannot load is an
 * error, never a silent CPU run: a GPU worker that quietly computes on CPU skews every timing.
 * onnxruntime failures that say the model itself is wrong (unknown operator, invalid graph, a node
 * failing on contract shapes) become ComputeErrors naming the model; others stay plain errors.
 */

export type ResolvedProvider = 'cpu' | 'cuda';

export interface ParsedDevice {
  kind: 'cpu' | 'cuda' | 'auto';
  deviceId: number;
}

export function parseDevice(spec: string): ParsedDevice {
  const s = spec.trim().toLowerCase();
  if (s === 'cpu') return { kind: 'cpu', deviceId: 0 };
  if (s === 'auto') return { kind: 'auto', deviceId: 0 };
  const m = /^cuda(?::(\d+))?$/.exec(s);
  if (m) return { kind: 'cuda', deviceId: m[1] === undefined ? 0 : Number(m[1]) };
  throw new RangeError(`unknown device "${spec}"; use cpu, cuda, cuda:N or auto`);
}

/** intraOpNumThreads from STEPWISE_ORT_THREADS (unset: onnxruntime's default, one per core). */
export function ortThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.STEPWISE_ORT_THREADS;
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`STEPWISE_ORT_THREADS must be a positive integer, got "${raw}"`);
  return n;
}

export interface ModelSource {
  /** sha256 of the model file; computed from `bytes` when omitted. */
  sha256?: string;
  bytes?: Uint8Array;
  /** A file onnxruntime reads itself (registry-validated path). */
  path?: string;
  /** How errors name the model (its path in the model directory); default: the path, else the sha256 prefix. */
  name?: string;
}

export interface SessionOptions {
  device?: string;
  /** intraOpNumThreads; default STEPWISE_ORT_THREADS, then onnxruntime's default. */
  threads?: number;
  log?: (line: string) => void;
}

export interface LoadedSession {
  session: ort.InferenceSession;
  sha256: string;
  /** How errors name the model. */
  name: string;
  /** What was asked for (`auto`, `cuda:1`, ...). */
  requested: string;
  provider: ResolvedProvider;
  deviceId: number;
  inputNames: readonly string[];
  outputName: string;
}

const defaultLog = (line: string) => console.info(line);
const sessions = new Map<string, Promise<LoadedSession>>();
let autoDecision: Promise<ResolvedProvider> | null = null;

function baseOptions(threads: number | undefined): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    // Flush denormals to zero in onnxruntime's threads. A mixture's responsibilities pass
    // through exp(); at some timesteps many land in float32's denormal range, where the CPU
    // takes microcode assists: one gmm-cifar step of a DPM-Solver++(2M) run took 4.7 ms instead
    // of 1.1 ms. Values below 1.2e-38 becoming 0 changes no result a sampler can see.
    extra: { session: { set_denormal_as_zero: '1' } },
    ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
  };
}

async function createSession(source: ModelSource, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  if (!source.bytes && !source.path) throw new RangeError('model source needs bytes or a path');
  try {
    return await (source.bytes ? ort.InferenceSession.create(source.bytes, options) : ort.InferenceSession.create(source.path!, options));
  } catch (err) {
    // A broken graph is the model's fault on every device: say so, never "CUDA could not be loaded".
    throw classifyOrtError(err, sourceName(source), 'load') ?? err;
  }
}

function sourceName(source: ModelSource): string {
  return source.name ?? source.path ?? `sha256:${(source.sha256 ?? (source.bytes ? sha256Hex(source.bytes) : '?')).slice(0, 12)}`;
}

/**
 * Why CUDA cannot work, when that is knowable without trying: onnxruntime-node installed with
 * ONNXRUNTIME_NODE_INSTALL=skip has no CUDA provider library next to its binding, and trying
 * anyway only prints a native error. Null means "try it".
 */
export function cudaUnavailableReason(): string | null {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = path.join(pkg, 'bin');
    if (!existsSync(bin)) return null;
    const found = (readdirSync(bin, { recursive: true }) as string[]).some((f) => /onnxruntime_providers_cuda\.(so|dll)$/.test(String(f)));
    return found ? null : `onnxruntime-node has no CUDA provider library under ${bin} (installed with ONNXRUNTIME_NODE_INSTALL=skip?)`;
  } catch {
    return null;
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}

async function openSession(source: ModelSource, sha256: string, requested: string, threads: number | undefined, log: (line: string) => void): Promise<LoadedSession> {
  const device = parseDevice(requested);
  const cudaOptions = (id: number): ort.InferenceSession.SessionOptions => ({
    ...baseOptions(threads),
    executionProviders: [{ name: 'cuda', deviceId: id }, 'cpu'],
  });
  const cpuOptions: ort.InferenceSession.SessionOptions = { ...baseOptions(threads), executionProviders: ['cpu'] };
  const wrap = (session: ort.InferenceSession, provider: ResolvedProvider): LoadedSession => ({
    session, sha256, name: sourceName({ ...source, sha256 }), requested, provider, deviceId: provider === 'cuda' ? device.deviceId : 0,
    inputNames: session.inputNames, outputName: session.outputNames[0],
  });

  if (device.kind === 'cpu') return wrap(await createSession(source, cpuOptions), 'cpu');
  if (device.kind === 'cuda') {
    const reason = cudaUnavailableReason();
    if (reason) throw new Error(`device ${requested}: the CUDA execution provider could not be loaded (${reason}); install onnxruntime-node with its CUDA 12 libraries or use device cpu/auto`);
    try {
      return wrap(await createSession(source, cudaOptions(device.deviceId)), 'cuda');
    } catch (err) {
      if (err instanceof ComputeError) throw err;
      throw new Error(`device ${requested}: the CUDA execution provider could not be loaded (${firstLine(err)}); install onnxruntime-node with its CUDA 12 libraries or use device cpu/auto`);
    }
  }
  // auto: decide once per process (each failed CUDA probe costs a library load and a log line).
  if (!autoDecision) {
    autoDecision = (async () => {
      const reason = cudaUnavailableReason();
      if (reason) {
        log(`[stepwise] onnxruntime device auto -> cpu (CUDA execution provider unavailable: ${reason})`);
        return 'cpu';
      }
      try {
        const probe = await createSession(source, cudaOptions(0));
        await probe.release();
        log('[stepwise] onnxruntime device auto -> cuda:0 (CUDA execution provider loaded)');
        return 'cuda';
      } catch (err) {
        // A broken model says nothing about CUDA: fail this open and decide with the next model.
        if (err instanceof ComputeError) throw err;
        log(`[stepwise] onnxruntime device auto -> cpu (CUDA execution provider unavailable: ${firstLine(err)})`);
        return 'cpu';
      }
    })();
    autoDecision.catch(() => (autoDecision = null));
  }
  const provider = await autoDecision;
  return wrap(await createSession(source, provider === 'cuda' ? cudaOptions(0) : cpuOptions), provider);
}

/** The cached session for (sha256, device, threads); concurrent callers share one creation. */
export function getSession(source: ModelSource, options: SessionOptions = {}): Promise<LoadedSession> {
  const sha256 = source.sha256 ?? (source.bytes ? sha256Hex(source.bytes) : undefined);
  if (!sha256) throw new RangeError('a model loaded from a path needs its sha256 (the registry computes it)');
  const requested = options.device ?? 'cpu';
  parseDevice(requested);
  const threads = options.threads ?? ortThreadsFromEnv();
  const key = `${sha256}|${requested}|${threads ?? 'default'}`;
  let entry = sessions.get(key);
  if (!entry) {
    entry = openSession(source, sha256, requested, threads, options.log ?? defaultLog);
    sessions.set(key, entry);
    entry.catch(() => sessions.delete(key)); // a failure is not cached: the next call retries
  }
  return entry;
}

/** Release every cached session (tests, worker shutdown). */
export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  autoDecision = null;
  await Promise.all(all.map(async (p) => p.then((s) => s.session.release()).catch(() => undefined)));
}

/** [start, end) row ranges of at most maxBatch rows covering 0..batch. */
export function chunkRanges(batch: number, maxBatch: number): Array<[number, number]> {
  if (!Number.isInteger(batch) || batch < 0) throw new RangeError(`batch must be a non-negative integer, got ${batch}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  const out: Array<[number, number]> = [];
  for (let s = 0; s < batch; s += maxBatch) out.push([s, Math.min(batch, s + maxBatch)]);
  return out;
}

export interface RunOptions {
  /** Per-sample shape the model's `x` input expects, e.g. [3, 32, 32]. */
  shape: readonly number[];
  /** Rows per onnxruntime call (default: the whole batch). */
  maxBatch?: number;
  /** Class labels for conditional models (input `y`, int64 [B]), one per row. */
  labels?: BigInt64Array;
  /** Write into this buffer (length batch * dim) instead of a new one. */
  out?: Float32Array;
}

/**
 * One model output for rows 0..batch-1 of x at times t (a shared scalar or one per row), in chunks
 * of maxBatch rows. Chunks are views of x, not copies.
 */
export async function runModel(model: LoadedSession, x: Float32Array, t: number | Float32Array, batch: number, opts: RunOptions): Promise<Float32Array> {
  const dim = opts.shape.reduce((a, b) => a * b, 1);
  if (x.length !== batch * dim) throw new RangeError(`x has ${x.length} values, expected batch*dim = ${batch}*${dim}`);
  if (typeof t !== 'number' && t.length !== batch) throw new RangeError(`t has ${t.length} values, expected one per row (${batch})`);
  if (opts.labels && opts.labels.length !== batch) throw new RangeError(`labels has ${opts.labels.length} values, expected ${batch}`);
  const wantsY = model.inputNames.includes('y');
  if (wantsY && !opts.labels) throw new RangeError('this model is class-conditional (input y): pass labels');
  const out = opts.out ?? new Float32Array(batch * dim);
  if (out.length !== batch * dim) throw new RangeError(`out has ${out.length} values, expected ${batch * dim}`);
  for (const [s, e] of chunkRanges(batch, opts.maxBatch ?? Math.max(batch, 1))) {
    const rows = e - s;
    const feeds: Record<string, ort.Tensor> = {
      x: new ort.Tensor('float32', x.subarray(s * dim, e * dim), [rows, ...opts.shape]),
      t: new ort.Tensor('float32', typeof t === 'number' ? new Float32Array(rows).fill(t) : t.subarray(s, e), [rows]),
    };
    if (wantsY) feeds.y = new ort.Tensor('int64', opts.labels!.subarray(s, e), [rows]);
    // A pre-allocated output: onnxruntime writes the result straight into this chunk of `out`
    // instead of a buffer we would copy from (~0.05 ms of a 1.2 ms gmm-cifar batch-64 call).
    const fetches = { [model.outputName]: new ort.Tensor('float32', out.subarray(s * dim, e * dim), [rows, ...opts.shape]) };
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await model.session.run(feeds, fetches);
    } catch (err) {
      const shapes = `x [${rows}, ${opts.shape.join(', ')}], t [${rows}]${wantsY ? `, y [${rows}]` : ''}`;
      throw classifyOrtError(err, model.name, 'run', shapes) ?? err;
    }
    const y = result[model.outputName];
    try {
      if (y.type !== 'float32') throw new ComputeError('model', `model ${model.name}: output '${model.outputName}' is ${y.type}, expected float32: re-export it with a float32 output`);
      const data = y.data as Float32Array;
      if (data.length !== rows * dim) throw new ComputeError('model', `model ${model.name}: output '${model.outputName}' has ${data.length} values for ${rows} rows of [${opts.shape.join(', ')}]: its output must have the shape of x`);
    } finally {
      for (const v of Object.values(result)) v.dispose();
    }
  }
  return out;
}

export interface OnnxDenoiserOptions extends Omit<RunOptions, 'out'> {
  model: LoadedSession;
  /** The model's native output (metadata stepwise.prediction); converted to eps for the sampler. */
  prediction: ModelPrediction;
  noise: NoiseSchedule;
}

/**
 * A core `Denoiser` over an ONNX session: float32 x [batch, dim] and a shared t in, eps out.
 * The output buffer is reused between calls (the sampler copies it), as the contract allows.
 */
export function createOnnxDenoiser(opts: OnnxDenoiserOptions): Denoiser<Float32Array> {
  let buffer = new Float32Array(0);
  const raw: Denoiser<Float32Array> = async (x, t, batch, into) => {
    // onnxruntime writes straight into the caller's buffer when it offers one.
    if (into && into.length === x.length) return runModel(opts.model, x, t, batch, { shape: opts.shape, maxBatch: opts.maxBatch, labels: opts.labels, out: into });
    if (buffer.length !== x.length) buffer = new Float32Array(x.length);
    return runModel(opts.model, x, t, batch, { shape: opts.shape, maxBatch: opts.maxBatch, labels: opts.labels, out: buffer });
  };
  return asNoisePredictor(raw, opts.prediction, opts.noise);
}
