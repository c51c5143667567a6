import { PNG } from 'pngjs';
import {
  buildPresetSchedule, isStatisticalPreset, sampleGmmBatch, sampleUsf, symmetricEigen, ZSamplerObjective, ZSolverSchedule,
  type IsotropicGmm, type LocalSampleRequest, type PresetName, type TSolverSchedule,
} from '@stepwise/core';
import { createStatisticsContext, statisticalSolver, type Solve, type StatisticsContext } from './activities/sampler-block';
import { ReferenceCache } from './models/reference';
import { writeFileAtomic } from './models/atomic-file';
import { checkedDenoiser, ComputeError, firstNonFinite } from './models/errors';
import { initialNoiseBatch } from './models/reference';
import { openModelByName } from './models/resolve';
import { conditionalDenoiser } from './models/conditional';

/**
 * `stepwise sample`: draw samples from a model with a solver preset and write them where a person
 * can look at them: .npy (float32, [N, ...shape]) or .png (an image grid for image-shaped models,
 * a 2-D histogram for 2-D ones).
 */

export type SampleRequest = LocalSampleRequest;

/** The request's schedule: its own (checked against the schema and the model), or the preset's. */
function requestSchedule(req: Pick<SampleRequest, 'schedule' | 'nfe' | 'spacing'> & { preset: PresetName }, noiseSchedule: TSolverSchedule['noiseSchedule']): TSolverSchedule {
  if (req.schedule === undefined) return buildPresetSchedule(req.preset, req.nfe, { noiseSchedule, spacing: req.spacing });
  const parsed = ZSolverSchedule.safeParse(req.schedule);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ComputeError('input', `schedule${issue.path.map((k) => `.${String(k)}`).join('')}: ${issue.message}`);
  }
  if (parsed.data.noiseSchedule !== noiseSchedule) {
    throw new ComputeError('input', `schedule.noiseSchedule is "${parsed.data.noiseSchedule}" but this model was trained with "${noiseSchedule}": use a schedule made for it`);
  }
  return parsed.data;
}

export async function sampleToFile(req: SampleRequest): Promise<{ path: string; shape: number[]; nfe: number }> {
  if (!/\.(npy|png)$/.test(req.out)) throw new Error(`--out must end in .npy or .png, got "${req.out}"`);
  const { x0, shape, nfe, gmm } = await drawSamples(req);
  await writeFileAtomic(req.out, req.out.endsWith('.npy') ? encodeNpy(Float32Array.from(x0), shape) : renderPng(x0, req.count, shape.slice(1), gmm));
  return { path: req.out, shape, nfe };
}

/** The same samples as a PNG in memory (for the dashboard). */
export async function samplePng(req: Omit<SampleRequest, 'out'>, progress?: (phase: string) => void): Promise<{ png: Buffer; shape: number[]; nfe: number }> {
  const { x0, shape, nfe, gmm } = await drawSamples(req, progress);
  return { png: asInput(() => renderPng(x0, req.count, shape.slice(1), gmm)), shape, nfe };
}

/** Errors of the request (not the model, not the machine) as ComputeError('input'). */
function asInput<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof ComputeError ? err : new ComputeError('input', (err as Error).message);
  }
}

/**
 * The samples, with deterministic failures as ComputeErrors: a broken model (from the runtime, or
 * NaN/Inf out of finite inputs) as 'model', a request the model cannot serve (labels, preset,
 * picture shape) or a solver that diverges as 'input'. A missing or invalid model file is the
 * registry's ModelContractError.
 */
const statistics = new Map<string, StatisticsContext>();
function statisticsFor(modelDir: string): StatisticsContext {
  let c = statistics.get(modelDir);
  if (!c) statistics.set(modelDir, (c = createStatisticsContext(modelDir, new ReferenceCache({ modelDir }))));
  return c;
}

async function drawSamples(req: Omit<SampleRequest, 'out'>, progress: (phase: string) => void = () => {}): Promise<{ x0: Float64Array; shape: number[]; nfe: number; gmm?: IsotropicGmm }> {
  const model = await openModelByName(req.model, { modelDir: req.modelDir, device: req.device ?? 'cpu' });
  const dim = model.info.dim;
  const guidance = req.guidance ?? (model.info.conditional && req.label !== undefined ? 1 : 0);
  const { denoiser } = asInput(() => conditionalDenoiser(model, { guidance, label: req.label }, 0, req.count));
  const xT = initialNoiseBatch(req.seed, 0, req.count, dim);
  let solve: Solve;
  if (req.schedule === undefined && isStatisticalPreset(req.preset)) {
    // dpm-solver-v3 / dc-solver: statistics from the model directory's cache (computed on first use).
    const objective = asInput(() => ZSamplerObjective.parse({ type: 'sampler', model: req.model, preset: req.preset, nfe: req.nfe, spacing: req.spacing, guidance, label: req.label }));
    solve = await statisticalSolver(statisticsFor(req.modelDir), req.preset, objective, model, xT, req.count, progress);
  } else {
    const schedule = asInput(() => requestSchedule(req as Pick<SampleRequest, 'schedule' | 'nfe' | 'spacing'> & { preset: PresetName }, model.info.schedule));
    solve = (d) => sampleUsf({ model: d, xT, batch: req.count, dim, schedule, state: 'float32' });
  }
  const { x0, nfe } = await solve(denoiser);
  if (firstNonFinite(x0) >= 0) {
    // The model's fault or the solver's? Again with every model output checked (this path only).
    await solve(checkedDenoiser(denoiser, model.info.relativePath));
    const what = req.schedule !== undefined ? 'this schedule' : `preset ${req.preset} at NFE ${req.nfe}`;
    throw new ComputeError('input', `the samples diverge to NaN/Inf with ${what}: use more steps or another ${req.schedule !== undefined ? 'schedule' : 'preset'}`);
  }
  return { x0, shape: [req.count, ...model.info.shape], nfe, gmm: (model as { testbed?: { gmm: IsotropicGmm } }).testbed?.gmm };
}

/** NumPy .npy v1.0, little-endian float32, C order. */
export function encodeNpy(data: Float32Array, shape: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

function renderPng(x: Float64Array, count: number, shape: number[], gmm?: IsotropicGmm): Buffer {
  if (shape.length === 1 && shape[0] === 2) return histogramPng(x, count);
  // A flat mixture testbed (gmm-64d) is no picture: its samples against data from the mixture,
  // projected onto the two directions along which the component means spread most.
  if (gmm && shape.length === 1 && gmm.dim > 2) return projectionPng(x, count, gmm);
  // A flat square vector (e.g. 8x8 digits stored as [64]) is a grayscale image.
  const side = shape.length === 1 ? Math.round(Math.sqrt(shape[0])) : 0;
  const [c, h, w] = shape.length === 3 ? shape : shape.length === 2 ? [1, shape[0], shape[1]] : side * side === shape[0] && side > 1 ? [1, side, side] : [0, 0, 0];
  if (!(c === 1 || c === 3)) throw new Error(`PNG output needs an image-shaped model ([C,H,W] with C = 1 or 3) or a 2-D one; this model's shape is [${shape.join(',')}]: use .npy`);
  const cols = Math.ceil(Math.sqrt(count)), rows = Math.ceil(count / cols), pad = 2;
  const png = new PNG({ width: cols * (w + pad) + pad, height: rows * (h + pad) + pad });
  png.data.fill(255);
  const size = c * h * w;
  for (let k = 0; k < count; k++) {
    const ox = pad + (k % cols) * (w + pad), oy = pad + Math.floor(k / cols) * (h + pad);
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        const p = ((oy + yy) * png.width + ox + xx) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = x[k * size + (c === 3 ? ch : 0) * h * w + yy * w + xx];
          png.data[p + ch] = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
        }
        png.data[p + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}

/** The two leading principal directions of the weighted component means ([2, dim], unit rows). */
function meanDirections(gmm: IsotropicGmm): Float64Array {
  const { dim, weights, means } = gmm;
  const K = weights.length;
  const centre = new Float64Array(dim);
  for (let k = 0; k < K; k++) for (let j = 0; j < dim; j++) centre[j] += weights[k] * means[k * dim + j];
  const cov = new Float64Array(dim * dim);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < dim; i++) {
      const di = means[k * dim + i] - centre[i];
      for (let j = 0; j < dim; j++) cov[i * dim + j] += weights[k] * di * (means[k * dim + j] - centre[j]);
    }
  }
  const { vectors } = symmetricEigen(cov, dim);
  const out = new Float64Array(2 * dim);
  // Ascending eigenvalues: the last two columns.
  for (let i = 0; i < dim; i++) {
    out[i] = vectors![i * dim + dim - 1];
    out[dim + i] = vectors![i * dim + dim - 2];
  }
  return out;
}

function projectionPng(x: Float64Array, count: number, gmm: IsotropicGmm): Buffer {
  const { dim } = gmm;
  const dirs = meanDirections(gmm);
  const data = sampleGmmBatch(gmm, 0, 0, Math.max(count, 2048));
  const project = (v: Float64Array, n: number) => {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        out[2 * i] += v[i * dim + j] * dirs[j];
        out[2 * i + 1] += v[i * dim + j] * dirs[dim + j];
      }
    }
    return out;
  };
  const samples = project(x, count), reference = project(data, data.length / dim);
  return overlayPng([{ points: reference, rgb: [150, 150, 150] }, { points: samples, rgb: [31, 90, 200] }]);
}

/** 2-D densities drawn over each other (later layers on top), on one shared square axis. */
function overlayPng(layers: Array<{ points: Float64Array; rgb: [number, number, number] }>): Buffer {
  const size = 256;
  let lo = Infinity, hi = -Infinity;
  for (const { points } of layers) for (const v of points) if (Number.isFinite(v)) (lo = Math.min(lo, v), hi = Math.max(hi, v));
  const pad = 0.05 * (hi - lo || 1);
  lo -= pad;
  hi += pad;
  const png = new PNG({ width: size, height: size });
  png.data.fill(255);
  for (const { points, rgb } of layers) {
    const hist = new Float64Array(size * size);
    for (let i = 0; i < points.length / 2; i++) {
      const px = Math.floor(((points[2 * i] - lo) / (hi - lo)) * size), py = Math.floor(((hi - points[2 * i + 1]) / (hi - lo)) * size);
      if (px >= 0 && px < size && py >= 0 && py < size) hist[py * size + px] += 1;
    }
    let max = 0;
    for (const h of hist) max = Math.max(max, h);
    for (let i = 0; i < size * size; i++) {
      if (hist[i] === 0) continue;
      const a = 0.25 + 0.75 * Math.sqrt(hist[i] / max);
      for (let ch = 0; ch < 3; ch++) png.data[4 * i + ch] = Math.round((1 - a) * png.data[4 * i + ch] + a * rgb[ch]);
    }
  }
  return PNG.sync.write(png);
}

function histogramPng(x: Float64Array, count: number): Buffer {
  const size = 256;
  let lim = 0;
  for (let i = 0; i < 2 * count; i++) lim = Math.max(lim, Math.abs(x[i]));
  lim = lim * 1.05 || 1;
  const hist = new Float64Array(size * size);
  for (let i = 0; i < count; i++) {
    const px = Math.floor(((x[2 * i] + lim) / (2 * lim)) * size), py = Math.floor(((lim - x[2 * i + 1]) / (2 * lim)) * size);
    if (px >= 0 && px < size && py >= 0 && py < size) hist[py * size + px] += 1;
  }
  const max = Math.max(...hist);
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) {
    const v = 255 - Math.round(255 * Math.sqrt(hist[i] / max));
    png.data[4 * i] = v;
    png.data[4 * i + 1] = v;
    png.data[4 * i + 2] = 255;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
}
