import { classifierFreeGuidance, type Denoiser } from '@stepwise/core';
import type { OpenedModel } from './open';
import { createOnnxDenoiser } from './runtime';

/**
 * The eps-predictor for samples start..start+batch-1: unconditional models as they are;
 * class-conditional ones with per-sample labels (the given label, else sample index mod the
 * number of classes, so every configuration sees the same labels for the same seeds) and
 * classifier-free guidance eps_u + w (eps_c - eps_u) computed in one doubled model call.
 * guidance 0 samples unconditionally (the null label).
 */
export function conditionalDenoiser(
  model: OpenedModel,
  opts: { guidance: number; label?: number },
  start: number,
  batch: number,
): { denoiser: Denoiser<Float32Array>; labels: number[] | null } {
  if (!model.info.conditional) {
    if (opts.guidance > 0 || opts.label !== undefined) throw new Error('guidance and label need a class-conditional model');
    return { denoiser: model.denoiser, labels: null };
  }
  const nullLabel = BigInt(model.info.metadata['stepwise.null_label'] ?? '10');
  const classes = Number(nullLabel);
  if (opts.label !== undefined && (opts.label < 0 || opts.label >= classes)) throw new Error(`label must be in 0..${classes - 1}, got ${opts.label}`);
  const labels = Array.from({ length: batch }, (_, i) => opts.label ?? (start + i) % classes);
  const common = { model: model.session, shape: model.info.shape, prediction: model.info.prediction, noise: model.noise };
  if (opts.guidance === 0) return { denoiser: createOnnxDenoiser({ ...common, labels: new BigInt64Array(batch).fill(nullLabel) }), labels: null };
  const doubled = new BigInt64Array(2 * batch).fill(nullLabel);
  labels.forEach((l, i) => (doubled[batch + i] = BigInt(l)));
  return { denoiser: classifierFreeGuidance(createOnnxDenoiser({ ...common, labels: doubled }), opts.guidance, model.info.dim), labels };
}
