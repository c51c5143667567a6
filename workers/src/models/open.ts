import { getNoiseSchedule, type Denoiser, type NoiseSchedule } from '@stepwise/core';
import type { ReferenceModel } from './reference';
import { modelDirFromEnv, registerModelFile, type RegisteredModel } from './registry';
import { createOnnxDenoiser, getSession, type LoadedSession } from './runtime';
import { ensureTestbedModel, getTestbed, type Testbed } from './testbeds';

/** A registered model opened on a device: what a sampling activity needs. */
export interface OpenedModel {
  info: RegisteredModel;
  session: LoadedSession;
  noise: NoiseSchedule;
  /** eps-form denoiser over the session (data/v models converted). */
  denoiser: Denoiser<Float32Array>;
  /** For ReferenceCache.get. */
  reference: ReferenceModel;
}

export interface OpenOptions {
  device?: string;
  threads?: number;
  /** Rows per onnxruntime call. */
  maxBatch?: number;
  log?: (line: string) => void;
}

export async function openRegisteredModel(info: RegisteredModel, options: OpenOptions = {}): Promise<OpenedModel> {
  const session = await getSession({ sha256: info.sha256, path: info.path, name: info.relativePath }, options);
  const noise = getNoiseSchedule(info.schedule);
  const denoiser = createOnnxDenoiser({ model: session, shape: info.shape, prediction: info.prediction, noise, maxBatch: options.maxBatch });
  return { info, session, noise, denoiser, reference: { sha256: info.sha256, name: info.relativePath, dim: info.dim, schedule: info.schedule, denoiser, maxBatch: options.maxBatch } };
}

/** Validate and open a model file inside the model directory. */
export async function openModelFile(relativePath: string, options: OpenOptions & { modelDir?: string } = {}): Promise<OpenedModel> {
  return openRegisteredModel(await registerModelFile(options.modelDir ?? modelDirFromEnv(), relativePath), options);
}

/** Write (first use), register and open a built-in testbed; a single Gaussian gets its closed-form reference. */
export async function openTestbed(name: string, options: OpenOptions & { modelDir?: string } = {}): Promise<OpenedModel & { testbed: Testbed }> {
  const modelDir = options.modelDir ?? modelDirFromEnv();
  const testbed = getTestbed(name);
  await ensureTestbedModel(name, modelDir);
  const opened = await openModelFile(testbed.relativePath, { ...options, modelDir });
  if (testbed.gaussian) opened.reference = { ...opened.reference, gaussian: testbed.gaussian };
  return { ...opened, testbed };
}
