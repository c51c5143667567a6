import * as onnxProtoModule from 'onnx-proto';
import type { onnx as P } from 'onnx-proto';

/**
 * A small ONNX graph builder over onnx-proto's protobufjs classes: just what the project needs to
 * write analytic models (and, in tests, deliberately broken ones) without Python.
 */

// onnx-proto is CommonJS (`module.exports = $root`): Node's ESM loader exposes it only as the
// default export, while its typings declare a named `onnx` namespace. Accept both shapes.
type OnnxModule = typeof import('onnx-proto');
const loaded = onnxProtoModule as unknown as OnnxModule & { default?: OnnxModule };
export const onnx: OnnxModule['onnx'] = loaded.onnx ?? loaded.default!.onnx;

export const TensorDataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

/** IR version 8 (ONNX 1.10+) with opset 17: understood by every onnxruntime since 1.13. */
export const IR_VERSION = 8;
export const DEFAULT_OPSET = 17;

export type AttrValue = number | string | number[] | { int: number } | { ints: number[] };

/** A symbolic dimension ('B') or a fixed size. */
export type Dim = string | number;

function attribute(name: string, value: AttrValue): P.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttrType.FLOAT, f: value };
  if (Array.isArray(value)) return { name, type: AttrType.FLOATS, floats: value };
  if ('int' in value) return { name, type: AttrType.INT, i: value.int };
  return { name, type: AttrType.INTS, ints: value.ints };
}

export function valueInfo(name: string, elemType: number, dims: readonly Dim[]): P.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays use the host byte order; ONNX raw_data is little-endian. Every platform
  // onnxruntime-node ships for (x64, arm64) is little-endian, so a view suffices.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export class GraphBuilder {
  readonly nodes: P.INodeProto[] = [];
  readonly initializers: P.ITensorProto[] = [];
  readonly inputs: P.IValueInfoProto[] = [];
  readonly outputs: P.IValueInfoProto[] = [];
  private counter = 0;

  constructor(readonly name = 'graph') {}

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: readonly Dim[]): string {
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  /** A float32 constant (initializer); scalars have dims []. */
  constFloat(hint: string, values: ArrayLike<number>, dims: readonly number[] = [values.length]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: TensorDataType.FLOAT, dims: [...dims], rawData: littleEndianBytes(Float32Array.from(values)) });
    return name;
  }

  constInt64(hint: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: TensorDataType.INT64, dims: [...dims], rawData: littleEndianBytes(BigInt64Array.from(values, (v) => BigInt(v))) });
    return name;
  }

  scalar(value: number, hint = 'c'): string {
    return this.constFloat(hint, [value], []);
  }

  /** Add a node; returns its (first) output name. `out` names the output explicitly. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const output = out ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  add(a: string, b: string): string { return this.op('Add', [a, b]); }
  sub(a: string, b: string): string { return this.op('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.op('Mul', [a, b]); }
  div(a: string, b: string): string { return this.op('Div', [a, b]); }

  toModel(opts: { metadata?: Record<string, string>; opset?: number; docString?: string } = {}): Uint8Array {
    const model: P.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: opts.opset ?? DEFAULT_OPSET }],
      producerName: 'stepwise',
      producerVersion: '0.1.0',
      docString: opts.docString ?? '',
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    return onnx.ModelProto.encode(model).finish();
  }
}

/** protobufjs decodes int64 fields as Long objects when long.js is present, numbers otherwise. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}
