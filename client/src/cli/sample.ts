import { InvalidArgumentError } from 'commander';
import { SAMPLER_PRESET_NAMES, SPACING_NAMES, ZSolverSchedule, scheduleNfe, type LocalSampleRequest, type SamplerPresetName, type SpacingName, type TSolverSchedule } from '@stepwise/core';
import type { StepwiseClient } from '../index';
import { pngSize, scalePng } from './png-scale';

/**
 * `stepwise sample`. A .png is drawn by a compute worker through the API (samples.grid, as the
 * dashboard's sample grid is), so the CLI needs neither onnxruntime nor the models. A .npy (the
 * raw samples), or --local, runs the sampler in this process: that needs the optional package
 * @stepwise/workers, imported only then.
 */

export const SAMPLE_OUT_EXTENSIONS = ['.npy', '.png'] as const;
export const DEFAULT_MODEL_DIR = '.data/models';
/** The API draws at most this many samples per picture (samples.grid). */
export const API_MAX_COUNT = 256;
/** Without --scale, a PNG is enlarged to at least this width (an 8x8 digit grid is 82 px). */
export const AUTO_SCALE_WIDTH = 512;

/** What the local sampler (@stepwise/workers/sample-export sampleToFile) takes. */
export type SampleRequest = LocalSampleRequest;

export interface SampleResult {
  path: string;
  shape: number[];
  nfe: number;
}

export type Sampler = (req: SampleRequest) => Promise<SampleResult>;

export function parsePreset(value: string): SamplerPresetName {
  if (!(SAMPLER_PRESET_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${SAMPLER_PRESET_NAMES.join(', ')}`);
  return value as SamplerPresetName;
}

export function parseSpacing(value: string): SpacingName {
  if (!(SPACING_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${SPACING_NAMES.join(', ')}`);
  return value as SpacingName;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

/** --out: a file name ending in .npy (float32 array) or .png (image grid / 2-D histogram). */
export function parseGuidance(value: string): number {
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0 || v > 100) throw new InvalidArgumentError(`--guidance must be a number from 0 to 100, got "${value}"`);
  return v;
}

export function parseSampleOut(value: string): string {
  const lower = value.toLowerCase();
  if (!SAMPLE_OUT_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length && !lower.endsWith(`/${ext}`))) {
    throw new InvalidArgumentError(`--out must be a file ending in .npy or .png, got "${value}"`);
  }
  return value;
}

/** --model-dir, else STEPWISE_MODEL_DIR, else .data/models. */
export function resolveModelDir(flag: string | undefined, env: Record<string, string | undefined>): string {
  return flag || env.STEPWISE_MODEL_DIR || DEFAULT_MODEL_DIR;
}

export function sampleRequest(
  opts: { model: string; preset?: SamplerPresetName; nfe?: number; spacing?: SpacingName; count: number; seed: number; out: string; modelDir?: string; guidance?: number; label?: number; schedule?: TSolverSchedule },
  env: Record<string, string | undefined>,
): SampleRequest {
  if (opts.schedule === undefined && (opts.preset === undefined || opts.nfe === undefined)) {
    throw new Error('give --preset and --nfe, or a whole schedule with --schedule FILE.json');
  }
  if (opts.schedule !== undefined && (opts.preset !== undefined || opts.nfe !== undefined || opts.spacing !== undefined)) {
    throw new Error('--schedule replaces --preset, --nfe and --spacing: give one or the other');
  }
  const req: SampleRequest = {
    model: opts.model,
    preset: opts.preset ?? 'dpmpp-2m',
    nfe: opts.schedule ? scheduleNfe(opts.schedule) : opts.nfe!,
    count: opts.count,
    seed: opts.seed,
    out: parseSampleOut(opts.out),
    modelDir: resolveModelDir(opts.modelDir, env),
  };
  if (opts.spacing !== undefined) req.spacing = opts.spacing;
  if (opts.guidance !== undefined) req.guidance = opts.guidance;
  if (opts.label !== undefined) req.label = opts.label;
  if (opts.schedule !== undefined) req.schedule = opts.schedule;
  if (env.STEPWISE_DEVICE) req.device = env.STEPWISE_DEVICE;
  return req;
}

/** --schedule FILE.json: a USF schedule, checked with the schedule schema (errors name the field). */
export function parseScheduleText(text: string, file: string): TSolverSchedule {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`--schedule: ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = ZSolverSchedule.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--schedule: ${file}: ${issue.path.join('.') || '(schedule)'}: ${issue.message}`);
  }
  return parsed.data;
}

export function parseScale(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64 (pixels per sample pixel)');
  return n;
}

/** --scale, else the smallest whole factor that makes the picture AUTO_SCALE_WIDTH wide. */
export function scaleFor(width: number, flag?: number): number {
  return flag ?? Math.max(1, Math.min(64, Math.ceil(AUTO_SCALE_WIDTH / Math.max(1, width))));
}

/** A PNG drawn by a compute worker through the API, enlarged by `scale` (auto when omitted). */
export async function samplePngViaApi(client: StepwiseClient, req: SampleRequest, scale?: number): Promise<{ png: Buffer; shape: number[]; nfe: number; scale: number }> {
  if (req.count > API_MAX_COUNT) throw new InvalidArgumentError(`--count: the API draws at most ${API_MAX_COUNT} samples per picture; ask for fewer, or use --local`);
  const { model, preset, nfe, spacing, guidance, label, count, seed, schedule } = req;
  const grid = await client.samples.grid.mutate({ model, preset, nfe, spacing, guidance, label, count, seed, ...(schedule !== undefined ? { schedule: schedule as never } : {}) });
  const base64 = grid.dataUrl.replace(/^data:image\/png;base64,/, '');
  const png = Buffer.from(base64, 'base64');
  const factor = scaleFor(pngSize(png).width, scale);
  return { png: scalePng(png, factor), shape: grid.shape, nfe: grid.nfe, scale: factor };
}

/** Enlarges a PNG the local sampler wrote, in place. */
export async function rescaleFile(path: string, scale: number | undefined, fs: { readFile: (p: string) => Promise<Buffer>; writeFile: (p: string, b: Buffer) => Promise<void> }): Promise<number> {
  const png = await fs.readFile(path);
  const factor = scaleFor(pngSize(png).width, scale);
  if (factor > 1) await fs.writeFile(path, scalePng(png, factor));
  return factor;
}

/**
 * The local sampler, loaded on first use (onnxruntime and the model code come with it). The CLI
 * bundle turns this import into a stub that loads the package only now (client/build.mjs).
 */
export const loadSampler: () => Promise<Sampler> = async () => {
  let mod: { sampleToFile: Sampler };
  try {
    mod = (await import('@stepwise/workers/sample-export')) as { sampleToFile: Sampler };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error('sampling locally (.npy output or --local) needs the optional package @stepwise/workers (npm install @stepwise/workers); a .png is drawn by a compute worker through the API without it');
    }
    throw err;
  }
  return mod.sampleToFile;
};
