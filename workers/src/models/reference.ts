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
import { writeFileAtomic } from './atomic-file';
import { ComputeError, firstNonFinite } from './errors';

/**
 * High-accuracy endpoints x_0 for (model, seed, sample range): the exact probability-flow map for
 * a single Gaussian, otherwise a high-order solver at high NFE started from the same initial noise
 * initialNoise(seed, i) the trials use. Endpoints are float32 (what is stored), cached in memory
 * (LRU by bytes) and on disk under <modelDir>/refs/<sha>/<solver>/<seed>-<start>-<end>.f32,
 * recomputed when a file is missing or has the wrong size. The disk cache is bounded too (requests
 * choose seeds and ranges, so it could otherwise fill the volume): least recently used files go
 * first, "used" being the file's mtime, which every hit refreshes. Several workers may share the
 * model directory, so files are written under a random temporary name and renamed into place, and
 * an eviction racing another process's read costs that reader a recomputation, never a wrong answer.
 */

export interface ReferenceModel {
  /** Cache key: the model file's sha256. */
  sha256: string;
  /** How errors name the model (its path in the model directory). */
  name?: string;
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
  /** Budget of the files under <modelDir>/refs in bytes (default 512 MiB, STEPWISE_REFERENCE_CACHE_MB). */
  diskMaxBytes?: number;
}

export const DEFAULT_REFERENCE_DISK_BYTES = 512 * 1024 * 1024;

/** A temporary file this old is left over from a crashed writer (a write takes milliseconds). */
const STALE_TMP_MS = 10 * 60 * 1000;

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
  private readonly diskMaxBytes: number;
  /** Evictions run one at a time in this process. */
  private evicting: Promise<void> = Promise.resolve();
  /** Computations actually run (not served from memory or disk): for tests and logs. */
  computed = 0;
  /** Files this process deleted to keep the disk cache within its budget. */
  evicted = 0;

  constructor(private readonly options: ReferenceCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.diskMaxBytes = options.diskMaxBytes ?? DEFAULT_REFERENCE_DISK_BYTES;
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
      // Keeps the file recent for evictions, this worker's and the others' on the same volume.
      return this.touch(key).then(() => hit);
    }
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.load(key, model, req).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private fileOf(key: string): string | null {
    return this.options.modelDir ? path.join(this.options.modelDir, ...key.split('/')) : null;
  }

  /** Mark a cached file as just used (its mtime is the LRU clock); a file gone meanwhile is fine. */
  private async touch(key: string): Promise<void> {
    const file = this.fileOf(key);
    if (!file) return;
    const now = new Date();
    await fs.utimes(file, now, now).catch(() => undefined);
  }

  private async load(key: string, model: ReferenceModel, req: ReferenceRequest): Promise<Float32Array> {
    const expected = (req.end - req.start) * model.dim;
    const file = this.fileOf(key);
    let data: Float32Array | null = null;
    if (file) {
      const buf = await fs.readFile(file).catch(() => null);
      if (buf && buf.byteLength === expected * 4) {
        data = new Float32Array(expected);
        new Uint8Array(data.buffer).set(buf);
        await this.touch(key);
      }
    }
    if (!data) {
      data = await computeReference(model, req);
      this.computed++;
      if (firstNonFinite(data) >= 0) {
        // Never cached: a fixed model must not be served its old NaNs.
        throw new ComputeError(
          'model',
          `model ${model.name ?? model.sha256.slice(0, 12)}: its reference solution (${solverTag(model, req)}, seed ${req.seed}, samples ${req.start}..${req.end - 1}) contains NaN/Inf, ` +
            'so the model outputs NaN/Inf somewhere on that trajectory: fix the model, or use a metric without a reference solution',
        );
      }
      if (file && data.byteLength <= this.diskMaxBytes) {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await writeFileAtomic(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        await this.evict();
      }
    }
    this.remember(key, data);
    return data;
  }

  /** Bring <modelDir>/refs within the disk budget; serialized in this process, never throws. */
  evict(): Promise<void> {
    const run = this.evicting.then(() => this.evictNow()).catch((err: unknown) => {
      console.warn(`[stepwise] reference cache eviction failed (the cache may exceed its budget until the next write): ${err instanceof Error ? err.message : String(err)}`);
    });
    this.evicting = run;
    return run;
  }

  private async evictNow(): Promise<void> {
    const modelDir = this.options.modelDir;
    if (!modelDir) return;
    const files = await listFiles(path.join(modelDir, 'refs'));
    const now = Date.now();
    let total = 0;
    const candidates: Array<{ file: string; key: string; size: number; mtimeMs: number }> = [];
    for (const file of files) {
      const st = await fs.lstat(file).catch(() => null);
      if (!st || !st.isFile()) continue;
      if (file.endsWith('.tmp')) {
        // Another writer's file in progress counts against the budget; a crashed writer's is removed.
        if (now - st.mtimeMs > STALE_TMP_MS) await fs.rm(file, { force: true });
        else total += st.size;
        continue;
      }
      total += st.size;
      candidates.push({ file, key: path.relative(modelDir, file).split(path.sep).join('/'), size: st.size, mtimeMs: st.mtimeMs });
    }
    if (total <= this.diskMaxBytes) return;
    candidates.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const c of candidates) {
      if (total <= this.diskMaxBytes) break;
      // In use here: being loaded, or just written for a caller still waiting on it.
      if (this.inFlight.has(c.key)) continue;
      await fs.rm(c.file, { force: true });
      total -= c.size;
      this.evicted++;
    }
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

/** Regular files under `dir`, recursively, without following symlinks; none when it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}
