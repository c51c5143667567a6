import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { classifyOrtError } from './errors';
import { onnx } from './onnx-graph';
import { ModelContractError, parseShape, resolveModelPath } from './registry';

/**
 * Feature models (`stepwise.kind = features`): input x float32 [B, ...shape]; outputs `features`
 * [B, F] (the space of Fréchet distances) and `logits` [B, classes] (class accuracy).
 */

export interface FeatureModel {
  relativePath: string;
  shape: number[];
  dim: number;
  featureDim: number;
  classes: number;
  run(x: Float32Array, batch: number): Promise<{ features: Float32Array; logits: Float32Array }>;
}

export async function openFeatureModel(modelDir: string, relativePath: string, threads?: number): Promise<FeatureModel> {
  const resolved = await resolveModelPath(modelDir, relativePath);
  const bytes = await readFile(resolved.path);
  let proto: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelContractError(`${relativePath}: not an ONNX model (protobuf decode failed: ${err instanceof Error ? err.message : String(err)})`);
  }
  const metadata = Object.fromEntries((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  if (metadata['stepwise.kind'] !== 'features') throw new ModelContractError(`${relativePath}: metadata 'stepwise.kind' must be 'features' for a feature model, got '${metadata['stepwise.kind'] ?? ''}'`);
  const shape = parseShape(metadata['stepwise.shape'] ?? '');
  if (!shape) throw new ModelContractError(`${relativePath}: metadata 'stepwise.shape' must list positive integers, got '${metadata['stepwise.shape'] ?? ''}'`);
  const outputs = (proto.graph?.output ?? []).map((o) => o.name ?? '');
  for (const name of ['features', 'logits']) if (!outputs.includes(name)) throw new ModelContractError(`${relativePath}: feature model needs an output '${name}'; it has ${outputs.join(', ')}`);
  const inputs = (proto.graph?.input ?? []).map((i) => i.name ?? '').filter((n) => !(proto.graph?.initializer ?? []).some((t) => t.name === n));
  if (inputs.length !== 1 || inputs[0] !== 'x') throw new ModelContractError(`${relativePath}: feature model takes one input 'x', it has ${inputs.join(', ')}`);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { ...(threads ? { intraOpNumThreads: threads } : {}), executionProviders: ['cpu'] });
  } catch (err) {
    throw classifyOrtError(err, resolved.relativePath, 'load') ?? err;
  }
  const dim = shape.reduce((a, b) => a * b, 1);
  const run = async (x: Float32Array, batch: number) => {
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run({ x: new ort.Tensor('float32', x, [batch, ...shape]) });
    } catch (err) {
      throw classifyOrtError(err, resolved.relativePath, 'run', `x [${batch}, ${shape.join(', ')}]`) ?? err;
    }
    const features = result.features.data as Float32Array;
    const logits = result.logits.data as Float32Array;
    return { features, logits };
  };
  const probe = await run(new Float32Array(dim), 1);
  return { relativePath: resolved.relativePath, shape, dim, featureDim: probe.features.length, classes: probe.logits.length, run };
}
