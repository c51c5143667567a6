import { InvalidArgumentError } from 'commander';
import { PRESET_NAMES, SPACING_NAMES, type PresetName, type SpacingName } from '@stepwise/core';
import type { SampleRequest } from '@stepwise/workers/sample-export';

/**
 * `stepwise sample`: argument parsing and the request for sampleToFile
 * (@stepwise/workers/sample-export), which the command imports only when it runs so that no
 * other command loads onnxruntime.
 */

export const SAMPLE_OUT_EXTENSIONS = ['.npy', '.png'] as const;
export const DEFAULT_MODEL_DIR = '.data/models';

/** What the sampler takes: the workers' own request type (type-only: nothing loads). */
export type { SampleRequest };

export interface SampleResult {
  path: string;
  shape: number[];
  nfe: number;
}

export type Sampler = (req: SampleRequest) => Promise<SampleResult>;

export function parsePreset(value: string): PresetName {
  if (!(PRESET_NAMES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PRESET_NAMES.join(', ')}`);
  return value as PresetName;
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
  opts: { model: string; preset: PresetName; nfe: number; spacing?: SpacingName; count: number; seed: number; out: string; modelDir?: string; guidance?: number; label?: number },
  env: Record<string, string | undefined>,
): SampleRequest {
  const req: SampleRequest = {
    model: opts.model,
    preset: opts.preset,
    nfe: opts.nfe,
    count: opts.count,
    seed: opts.seed,
    out: parseSampleOut(opts.out),
    modelDir: resolveModelDir(opts.modelDir, env),
  };
  if (opts.spacing !== undefined) req.spacing = opts.spacing;
  if (opts.guidance !== undefined) req.guidance = opts.guidance;
  if (opts.label !== undefined) req.label = opts.label;
  return req;
}

/** The real sampler, loaded on first use (onnxruntime and the model code come with it). */
export const loadSampler: () => Promise<Sampler> = async () => {
  const mod = await import('@stepwise/workers/sample-export');
  return mod.sampleToFile;
};
