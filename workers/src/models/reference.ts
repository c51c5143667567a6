import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  buildPresetSchedule,
  gaussianFlowSolution,
  getNoiseSchedule,
  initialNoise,
  planUsf,
  sampleUsf,
  type Denoiser,
  type IsotropicGaussian,
  type NoiseScheduleName,
  type PresetName,
} from '@stepwise/core';

/**
 * High-accuracy endpoints x_0 for (model, seed, sample range): the exact probability-flow map for
 * a single Gaussian, otherwise a high-order solver at high NFE started from the same initial noise
 * initialNoise(seed, i) the trials use. Endpoints are float32 (what is stored), cached in memory
 * (LRU by bytes) and on disk under <modelDir>/refs/<sha>/<solver>/<seed>-<start>-<end>.f32,
 * recomputed when a file is missing or has the wrong size.
 */

export interface ReferenceModel {
  /** Cache key: the model file's sha256. */
  sha256: string;
  dim: number;
  schedule: NoiseScheduleName;
  /** A single isotropic Gaussian: the closed form is used instead of a solver. */
  gaussian?: IsotropicGaussian;
  /** The model in eps form (an ONNX denoiser, or a float64 analytic one with modelInput 'float64'). */
  denoiser?: Denoiser<Float32Array> | Denoiser<Float64Array>;
  modelInput?: 'float32' | 'float64';
  /** Rows per sampler run (bounds memory); default 256. */
  maxBatch?: number;
}

export interface ReferenceSolver {
  preset: PresetName;
  nfe: number;
}

/**
 * Default high-accuracy solver: UniPC-bh2 (order 4 with its corrector) at NFE 500. On gmm-2d with
 * the float64 model it sits ~2e-6 from an NFE-2000 solution (DPM-Solver++(3M) at NFE 250: ~4e-4).
 * Through a float32 ONNX model the endpoints agree to ~1e-4 at best whatever the NFE: samples near
 * a boundary between modes amplify float32 rounding of the early steps.
 */
export const DEFAULT_REFERENCE_SOLVER: ReferenceSolver = { preset: 'unipc-bh2', nfe: 500 };

export interface ReferenceRequest {
  seed: number;
  /** Sample indices start..end-1. */
  start: number;
  end: number;
  /** Integration interval; defaults to the schedule's tMax and tMinDefault (the presets' defaults). */
  tStart?: number;
  tEnd?: number;
  /** Ignored for a single Gaussian (closed form). */
  solver?: ReferenceSolver;
}

export interface ReferenceCacheOptions {
  /** Model directory; files go under <modelDir>/refs. Omit for memory-only caching. */
  modelDir?: string;
  /** In-memory LRU budget in bytes (default 256 MiB). */
  maxBytes?: number;
}

/** Initial noise rows start..end-1 for `seed`, [count, dim] float64. */
export function initialNoiseBatch(seed: number, start: number, end: number, dim: number): Float64Array {
  const out = new Float64Array((end - start) * dim);
  for (let i = start; i < end; i++) out.set(initialNoise(seed, i, dim), (i - start) * dim);
  return out;
}

function solverTag(model: ReferenceModel, req: ReferenceRequest): string {
  const noise = getNoiseSchedule(model.schedule);
  const base = model.gaussian ? 'closed-form' : `${(req.solver ?? DEFAULT_REFERENCE_SOLVER).preset}-nfe${(req.solver ?? DEFAULT_REFERENCE_SOLVER).nfe}`;
  const t0 = req.tStart ?? noise.tMax, t1 = req.tEnd ?? noise.tMinDefault;
  return t0 === noise.tMax && t1 === noise.tMinDefault ? base : `${base}_t${t0}-${t1}`;
}

/** Compute reference endpoints without any caching. */
export async function computeReference(model: ReferenceModel, req: ReferenceRequest): Promise<Float32Array> {
  const { seed, start, end } = req;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start) throw new RangeError(`bad sample range ${start}..${end}`);
  const noise = getNoiseSchedule(model.schedule);
  const tStart = req.tStart ?? noise.tMax, tEnd = req.tEnd ?? noise.tMinDefault;
  const dim = model.dim;
  const out = new Float32Array((end - start) * dim);
  if (model.gaussian) {
    out.set(gaussianFlowSolution(model.gaussian, noise, initialNoiseBatch(seed, start, end, dim), tStart, tEnd));
    return out;
  }
  if (!model.denoiser) throw new RangeError('a reference for a non-Gaussian model needs its denoiser');
  const solver = req.solver ?? DEFAULT_REFERENCE_SOLVER;
  const schedule = buildPresetSchedule(solver.preset, solver.nfe, { noiseSchedule: model.schedule, tStart, tEnd });
  const plan = planUsf(schedule, noise);
  const maxBatch = model.maxBatch ?? 256;
  for (let s = start; s < end; s += maxBatch) {
    const e = Math.min(end, s + maxBatch);
    const xT = initialNoiseBatch(seed, s, e, dim);
    const common = { xT, batch: e - s, dim, schedule, plan };
    const res = model.modelInput === 'float64'
      ? await sampleUsf({ ...common, model: model.denoiser as Denoiser<Float64Array>, modelInput: 'float64' })
      : await sampleUsf({ ...common, model: model.denoiser as Denoiser<Float32Array> });
    out.set(res.x0, (s - start) * dim);
  }
  return out;
}

export class ReferenceCache {
  private readonly memory = new Map<string, Float32Array>();
  private readonly inFlight = new Map<string, Promise<Float32Array>>();
  private bytes = 0;
  private readonly maxBytes: number;
  /** Computations actually run (not served from memory or disk): for tests and logs. */
  computed = 0;

  constructor(private readonly options: ReferenceCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Relative cache file path: refs/<sha>/<solver>/<seed>-<start>-<end>.f32 */
  static relativePath(model: ReferenceModel, req: ReferenceRequest): string {
    return path.posix.join('refs', model.sha256, solverTag(model, req), `${req.seed}-${req.start}-${req.end}.f32`);
  }

  /** Endpoints [end - start, dim] float32. Callers must not modify the returned array. */
  get(model: ReferenceModel, req: ReferenceRequest): Promise<Float32Array> {
    const key = ReferenceCache.relativePath(model, req);
    const hit = this.memory.get(key);
    if (hit) {
      this.memory.delete(key);
      this.memory.set(key, hit); // most recently used last
      return Promise.resolve(hit);
    }
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.load(key, model, req).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async load(key: string, model: ReferenceModel, req: ReferenceRequest): Promise<Float32Array> {
    const expected = (req.end - req.start) * model.dim;
    const file = this.options.modelDir ? path.join(this.options.modelDir, ...key.split('/')) : null;
    let data: Float32Array | null = null;
    if (file) {
      const buf = await fs.readFile(file).catch(() => null);
      if (buf && buf.byteLength === expected * 4) {
        data = new Float32Array(expected);
        new Uint8Array(data.buffer).set(buf);
      }
    }
    if (!data) {
      data = await computeReference(model, req);
      this.computed++;
      if (file) {
        await fs.mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        await fs.writeFile(tmp, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        await fs.rename(tmp, file);
      }
    }
    this.remember(key, data);
    return data;
  }

  private remember(key: string, data: Float32Array): void {
    if (data.byteLength > this.maxBytes) return;
    this.memory.set(key, data);
    this.bytes += data.byteLength;
    for (const [k, v] of this.memory) {
      if (this.bytes <= this.maxBytes) break;
      this.memory.delete(k);
      this.bytes -= v.byteLength;
    }
  }

  clearMemory(): void {
    this.memory.clear();
    this.bytes = 0;
  }
}
