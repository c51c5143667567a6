import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CounterRng, createGmm, gmmCifarRecipe, isotropicGaussian, type IsotropicGaussian, type IsotropicGmm, type NoiseScheduleName } from '@stepwise/core';
import { buildGmmOnnx, sha256Hex, type BuiltOnnxModel } from './gmm-onnx';
import { writeFileAtomic } from './atomic-file';
import { modelDirFromEnv } from './registry';

/**
 * Built-in analytic testbeds: float64 parameters drawn from fixed CounterRng seeds (so every
 * machine builds byte-identical models) plus their ONNX graphs. They give exact log-densities,
 * exact data samples and, for the single Gaussian, an exact probability-flow solution.
 */

export const TESTBED_NAMES = ['gaussian-1', 'gmm-2d', 'gmm-64d', 'gmm-cifar'] as const;
export type TestbedName = (typeof TESTBED_NAMES)[number];

export interface Testbed {
  name: TestbedName;
  description: string;
  schedule: NoiseScheduleName;
  /** Per-sample shape (stepwise.shape). */
  shape: number[];
  dim: number;
  gmm: IsotropicGmm;
  /** Set for the single-Gaussian testbed (closed-form flow). */
  gaussian?: IsotropicGaussian;
  /** Model file path relative to the model directory. */
  relativePath: string;
  /** The ONNX model, built on first use. */
  onnx(): BuiltOnnxModel;
}

const SEEDS: Record<TestbedName, number> = { 'gaussian-1': 101, 'gmm-2d': 102, 'gmm-64d': 103, 'gmm-cifar': 104 };

/** Weights in [0.5, 1.5) before normalization: every component matters, not equally. */
function weights(rng: CounterRng, k: number): number[] {
  return Array.from({ length: k }, () => 0.5 + rng.uniform());
}

function gaussian1(): { gmm: IsotropicGmm; gaussian: IsotropicGaussian; shape: number[] } {
  const rng = new CounterRng(SEEDS['gaussian-1']);
  const mean = Array.from({ length: 8 }, () => 0.8 * rng.normal());
  const std = 0.5;
  return { gaussian: isotropicGaussian(mean, std), gmm: createGmm({ weights: [1], means: [mean], variances: [std * std] }), shape: [8] };
}

function gmm2d(): { gmm: IsotropicGmm; shape: number[] } {
  // The classic 8-mode ring: radius 2, std ~0.17, slightly jittered angles and unequal weights.
  const rng = new CounterRng(SEEDS['gmm-2d']);
  const K = 8;
  const means = Array.from({ length: K }, (_, k) => {
    const angle = (2 * Math.PI * k) / K + 0.05 * (rng.uniform() - 0.5);
    return [2 * Math.cos(angle), 2 * Math.sin(angle)];
  });
  return { gmm: createGmm({ weights: weights(rng, K), means, variances: Array.from({ length: K }, () => 0.02 + 0.02 * rng.uniform()) }), shape: [2] };
}

function gmm64d(): { gmm: IsotropicGmm; shape: number[] } {
  const rng = new CounterRng(SEEDS['gmm-64d']);
  const K = 16, D = 64;
  const means = Array.from({ length: K }, () => Array.from({ length: D }, () => rng.normal()));
  return { gmm: createGmm({ weights: weights(rng, K), means, variances: Array.from({ length: K }, () => 0.05 + 0.2 * rng.uniform()) }), shape: [D] };
}

/** The image-like mixture (its recipe is core's, shared with the in-process experiments). */
function gmmCifar(): { gmm: IsotropicGmm; shape: number[] } {
  const { means, variances, weights, shape } = gmmCifarRecipe(SEEDS['gmm-cifar']);
  return { gmm: createGmm({ weights, means, variances }), shape };
}

const BUILDERS: Record<TestbedName, { description: string; build: () => { gmm: IsotropicGmm; gaussian?: IsotropicGaussian; shape: number[] } }> = {
  'gaussian-1': { description: 'single isotropic Gaussian, D = 8 (closed-form probability flow)', build: gaussian1 },
  'gmm-2d': { description: '8-component ring in 2-D', build: gmm2d },
  'gmm-64d': { description: '16-component isotropic mixture in 64-D', build: gmm64d },
  'gmm-cifar': { description: '64-component mixture of image-like means, [3, 32, 32], pixels in [-1, 1]', build: gmmCifar },
};

const cache = new Map<TestbedName, Testbed>();

export function isTestbedName(name: string): name is TestbedName {
  return (TESTBED_NAMES as readonly string[]).includes(name);
}

export function getTestbed(name: string): Testbed {
  if (!isTestbedName(name)) throw new RangeError(`unknown testbed "${name}"; use one of ${TESTBED_NAMES.join(', ')}`);
  let tb = cache.get(name);
  if (!tb) {
    const { description, build } = BUILDERS[name];
    const { gmm, gaussian, shape } = build();
    const schedule: NoiseScheduleName = 'vp-linear';
    let built: BuiltOnnxModel | undefined;
    tb = {
      name, description, schedule, shape, dim: gmm.dim, gmm, gaussian,
      relativePath: `testbeds/${name}.onnx`,
      onnx: () => (built ??= buildGmmOnnx(gmm, { schedule, shape, name: name.replace(/-/g, '_'), metadata: { 'stepwise.testbed': name } })),
    };
    cache.set(name, tb);
  }
  return tb;
}

export interface WrittenModel {
  name: TestbedName;
  /** Absolute path. */
  path: string;
  relativePath: string;
  sha256: string;
  /** False when an identical file was already there. */
  written: boolean;
}

/** Write a testbed's ONNX file into the model directory unless an identical one is there. */
export async function ensureTestbedModel(name: string, modelDir: string = modelDirFromEnv()): Promise<WrittenModel> {
  const tb = getTestbed(name);
  const { bytes, sha256 } = tb.onnx();
  const file = path.join(modelDir, tb.relativePath);
  const existing = await fs.readFile(file).catch(() => null);
  if (existing && sha256Hex(existing) === sha256) return { name: tb.name, path: file, relativePath: tb.relativePath, sha256, written: false };
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, bytes); // concurrent workers never see half a model
  return { name: tb.name, path: file, relativePath: tb.relativePath, sha256, written: true };
}

export async function ensureTestbedModels(modelDir: string = modelDirFromEnv(), names: readonly string[] = TESTBED_NAMES): Promise<WrittenModel[]> {
  const out: WrittenModel[] = [];
  for (const name of names) out.push(await ensureTestbedModel(name, modelDir));
  return out;
}
