import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NOISE_SCHEDULE_NAMES, type NoiseScheduleName } from '@stepwise/core';
import { onnx, TensorDataType, toNumber } from './onnx-graph';
import type { onnx as P } from 'onnx-proto';
import { GMM_MODEL_KIND, sha256Hex } from './gmm-onnx';

/**
 * Model registration against the contract (DESIGN section 4). Everything a trial needs from a model
 * is checked here, once, with a message that names the tensor or key at fault, so that a bad model
 * fails at registration and never half-way through a study.
 */

export const MODEL_SCHEDULES = NOISE_SCHEDULE_NAMES;
export const MODEL_OUTPUT_PREDICTIONS = ['noise', 'data', 'v'] as const;
export type ModelOutputPrediction = (typeof MODEL_OUTPUT_PREDICTIONS)[number];

export const METADATA_KEYS = { schedule: 'stepwise.schedule', prediction: 'stepwise.prediction', shape: 'stepwise.shape', kind: 'stepwise.kind' } as const;

export class ModelContractError extends Error {
  override readonly name = 'ModelContractError';
}

/** STEPWISE_MODEL_DIR (default .data/models), absolute. */
export function modelDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.STEPWISE_MODEL_DIR?.trim() || '.data/models');
}

export interface ModelContract {
  kind: 'onnx' | 'gmm';
  schedule: NoiseScheduleName;
  prediction: ModelOutputPrediction;
  /** Per-sample shape from stepwise.shape, e.g. [3, 32, 32]. */
  shape: number[];
  /** Product of shape. */
  dim: number;
  /** Has the optional int64 class-label input y. */
  conditional: boolean;
  outputName: string;
  /** All metadata_props. */
  metadata: Record<string, string>;
}

export interface RegisteredModel extends ModelContract {
  /** Absolute real path (inside the model directory). */
  path: string;
  /** Path relative to the model directory, with forward slashes. */
  relativePath: string;
  sha256: string;
  sizeBytes: number;
}

const DTYPE_RENAMES: Record<string, string> = { FLOAT: 'float32', DOUBLE: 'float64' };
const DTYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(TensorDataType)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, DTYPE_RENAMES[k] ?? k.toLowerCase()]),
);

function dtypeName(elemType: number | null | undefined): string {
  if (elemType === null || elemType === undefined || elemType === 0) return 'undefined';
  return DTYPE_NAMES[elemType] ?? `dtype#${elemType}`;
}

interface TensorSig {
  elemType: number;
  /** Symbolic dims as strings, fixed as numbers, unknown as null; null when the rank is unknown. */
  dims: Array<string | number | null> | null;
}

function signature(v: P.IValueInfoProto): TensorSig | null {
  const tt = v.type?.tensorType;
  if (!tt) return null;
  const dims = tt.shape ? (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined && toNumber(d.dimValue) > 0 ? toNumber(d.dimValue) : null)) : null;
  return { elemType: tt.elemType ?? 0, dims };
}

function describe(sig: TensorSig | null): string {
  if (!sig) return 'a non-tensor value';
  const dims = sig.dims === null ? '(unknown rank)' : `[${sig.dims.map((d) => d ?? '?').join(',')}]`;
  return `${dtypeName(sig.elemType)} ${dims}`;
}

/** "[3,32,32]", "3,32,32" or "[ 3, 32, 32 ]" -> [3, 32, 32]. */
export function parseShape(raw: string): number[] | null {
  const body = raw.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  if (body === '') return null;
  const parts = body.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) return null;
  const shape = parts.map(Number);
  return shape.every((n) => Number.isSafeInteger(n) && n > 0) ? shape : null;
}

function isFreeBatch(d: string | number | null): boolean {
  return d === null || typeof d === 'string';
}

/** Validate serialized ONNX bytes against the contract; throws ModelContractError. */
export function inspectModelBytes(bytes: Uint8Array): ModelContract {
  let model: P.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelContractError(`not an ONNX model (protobuf decode failed: ${err instanceof Error ? err.message : String(err)})`);
  }
  const graph = model.graph;
  if (!graph || ((graph.node?.length ?? 0) === 0 && (graph.output?.length ?? 0) === 0)) throw new ModelContractError('not an ONNX model: it has no graph');

  // Older exporters list initializers among the inputs; those are weights, not feeds.
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !weights.has(i.name ?? ''));
  const byName = new Map(inputs.map((i) => [i.name ?? '', i]));
  const names = inputs.map((i) => `'${i.name}'`).join(', ') || 'none';

  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const need = (key: string, allowed?: readonly string[]): string => {
    const value = metadata[key];
    const hint = allowed ? ` (one of ${allowed.join(', ')})` : '';
    if (value === undefined) throw new ModelContractError(`metadata_props is missing '${key}'${hint}`);
    if (allowed && !allowed.includes(value)) throw new ModelContractError(`metadata '${key}' must be one of ${allowed.join(', ')}, got '${value}'`);
    return value;
  };
  const schedule = need(METADATA_KEYS.schedule, MODEL_SCHEDULES) as NoiseScheduleName;
  const prediction = need(METADATA_KEYS.prediction, MODEL_OUTPUT_PREDICTIONS) as ModelOutputPrediction;
  const rawShape = need(METADATA_KEYS.shape);
  const shape = parseShape(rawShape);
  if (!shape) throw new ModelContractError(`metadata '${METADATA_KEYS.shape}' must list positive integers like [3,32,32], got '${rawShape}'`);

  const xInfo = byName.get('x');
  if (!xInfo) throw new ModelContractError(`model has no input 'x' (float32 [B, ...]); its inputs are ${names}`);
  const x = signature(xInfo);
  if (!x || x.elemType !== TensorDataType.FLOAT || (x.dims !== null && (x.dims.length < 2 || !isFreeBatch(x.dims[0])))) {
    throw new ModelContractError(`input 'x' must be float32 [B, ...] with a free batch dimension, got ${describe(x)}`);
  }
  if (x.dims !== null) {
    const rest = x.dims.slice(1);
    const fits = rest.length === shape.length && rest.every((d, i) => typeof d !== 'number' || d === shape[i]);
    if (!fits) throw new ModelContractError(`input 'x' is ${describe(x)} but metadata '${METADATA_KEYS.shape}' is ${rawShape}: x must be [B, ${shape.join(', ')}]`);
  }

  const tInfo = byName.get('t');
  if (!tInfo) throw new ModelContractError(`model has no input 't' (float32 [B]); its inputs are ${names}`);
  const t = signature(tInfo);
  if (!t || t.elemType !== TensorDataType.FLOAT || (t.dims !== null && (t.dims.length !== 1 || !isFreeBatch(t.dims[0])))) {
    throw new ModelContractError(`input 't' must be float32 [B], got ${describe(t)}`);
  }

  const yInfo = byName.get('y');
  if (yInfo) {
    const y = signature(yInfo);
    if (!y || y.elemType !== TensorDataType.INT64 || (y.dims !== null && (y.dims.length !== 1 || !isFreeBatch(y.dims[0])))) {
      throw new ModelContractError(`input 'y' (class labels) must be int64 [B], got ${describe(y)}`);
    }
  }
  for (const name of byName.keys()) {
    if (!['x', 't', 'y'].includes(name)) throw new ModelContractError(`unexpected input '${name}': the contract feeds only x, t and the optional y`);
  }

  const outputs = graph.output ?? [];
  if (outputs.length === 0) throw new ModelContractError('model has no output');
  const out = signature(outputs[0]);
  if (!out || out.elemType !== TensorDataType.FLOAT) throw new ModelContractError(`output '${outputs[0].name}' must be float32 (the ${prediction} prediction), got ${describe(out)}`);
  if (out.dims !== null && x.dims !== null && out.dims.length !== x.dims.length) {
    throw new ModelContractError(`output '${outputs[0].name}' must have the shape of x ${describe(x)}, got ${describe(out)}`);
  }

  const kind = metadata[METADATA_KEYS.kind] === GMM_MODEL_KIND ? 'gmm' : 'onnx';
  return {
    kind, schedule, prediction, shape, dim: shape.reduce((a, b) => a * b, 1), conditional: Boolean(yInfo),
    outputName: outputs[0].name ?? '', metadata,
  };
}

/**
 * The real path of `relativePath` inside `modelDir`. Rejects absolute paths, `..` segments and
 * symlinks (of the file or any folder on the way) that lead out of the model directory.
 */
export async function resolveModelPath(modelDir: string, relativePath: string): Promise<{ path: string; relativePath: string }> {
  if (typeof relativePath !== 'string' || relativePath.trim() === '') throw new ModelContractError('model path is empty');
  if (path.isAbsolute(relativePath) || path.win32.isAbsolute(relativePath)) {
    throw new ModelContractError(`model path '${relativePath}' must be relative to the model directory ${modelDir}, not absolute`);
  }
  if (relativePath.split(/[\\/]/).includes('..')) throw new ModelContractError(`model path '${relativePath}' must not contain '..': models live inside ${modelDir}`);
  let root: string;
  try {
    root = await fs.realpath(modelDir);
  } catch {
    throw new ModelContractError(`model directory ${modelDir} does not exist (set STEPWISE_MODEL_DIR)`);
  }
  const candidate = path.resolve(root, relativePath);
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    throw new ModelContractError(`model file '${relativePath}' not found in ${modelDir}`);
  }
  const rel = path.relative(root, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ModelContractError(`model path '${relativePath}' resolves to ${real}, outside the model directory ${modelDir} (symlinks must stay inside)`);
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new ModelContractError(`model path '${relativePath}' is not a regular file`);
  return { path: real, relativePath: rel.split(path.sep).join('/') };
}

/** Resolve, read, hash and validate a model file. */
export async function registerModelFile(modelDir: string, relativePath: string): Promise<RegisteredModel> {
  const resolved = await resolveModelPath(modelDir, relativePath);
  const bytes = new Uint8Array(await fs.readFile(resolved.path));
  let contract: ModelContract;
  try {
    contract = inspectModelBytes(bytes);
  } catch (err) {
    if (err instanceof ModelContractError) throw new ModelContractError(`${resolved.relativePath}: ${err.message}`);
    throw err;
  }
  return { ...contract, ...resolved, sha256: sha256Hex(bytes), sizeBytes: bytes.length };
}
