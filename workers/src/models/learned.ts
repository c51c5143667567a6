import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from './atomic-file';

/**
 * Learned built-in models shipped with the repository (models/<family>/, with the script that
 * trained them). On first use they are copied into the model directory, so they are opened
 * through exactly the same validated path as any user model.
 */

const REPO_MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');

export const LEARNED_MODELS = {
  'digits-eps': { file: 'digits/digits-eps.onnx', role: 'denoiser' },
  'digits-features': { file: 'digits/digits-features.onnx', role: 'features' },
} as const;
export type LearnedModelName = keyof typeof LEARNED_MODELS;

export function isLearnedModel(name: string): name is LearnedModelName {
  return Object.hasOwn(LEARNED_MODELS, name);
}

/** Copies the shipped file into `<modelDir>/builtin/` once; returns the path relative to modelDir. */
export async function ensureLearnedModel(name: LearnedModelName, modelDir: string): Promise<string> {
  const source = path.join(REPO_MODELS, LEARNED_MODELS[name].file);
  const relative = path.posix.join('builtin', path.basename(LEARNED_MODELS[name].file));
  const target = path.join(modelDir, relative);
  const [src, dst] = await Promise.all([stat(source), stat(target).catch(() => null)]);
  if (!dst || dst.size !== src.size || dst.mtimeMs < src.mtimeMs) {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFileAtomic(target, null, (tmp) => copyFile(source, tmp));
  }
  return relative;
}

export interface HeldOutSet {
  /** [n, dim] row-major, in the model's data scale. */
  x: Float32Array;
  labels: number[];
  n: number;
  dim: number;
}

let heldOut: Promise<HeldOutSet> | null = null;

/** The digits held out from training (models/digits/heldout.json): the reference data for fd_features. */
export function digitsHeldOut(): Promise<HeldOutSet> {
  heldOut ??= readFile(path.join(REPO_MODELS, 'digits', 'heldout.json'), 'utf8').then((text) => {
    const raw = JSON.parse(text) as { images?: number[][]; x?: number[][]; labels?: number[]; y?: number[] };
    const images = raw.images ?? raw.x ?? [];
    const labels = raw.labels ?? raw.y ?? [];
    if (images.length === 0 || images.length !== labels.length) throw new Error('models/digits/heldout.json: expected images and labels of the same length');
    const dim = images[0].length;
    const x = new Float32Array(images.length * dim);
    images.forEach((row, i) => x.set(row, i * dim));
    return { x, labels, n: images.length, dim };
  });
  return heldOut;
}
