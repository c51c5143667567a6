import type { Denoiser, FloatArray, NonRetryableComputeErrorKind } from '@stepwise/core';

/**
 * Deterministic compute errors: the same request fails the same way on every attempt and every
 * worker (a broken model, an invalid request, a request over a worker cap). The activities turn
 * them into non-retryable Temporal failures (activities/failures.ts); anything else (a busy file,
 * an allocation failure) stays an ordinary, retryable error. Plain Errors, no Temporal, so the CLI
 * and benchmarks share the classification.
 */
export class ComputeError extends Error {
  override name = 'ComputeError';
  constructor(
    readonly kind: NonRetryableComputeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Failures of the machine rather than the model: worth another attempt (maybe elsewhere). */
const TRANSIENT = /Failed to allocate|bad_alloc|out of memory|\bENOMEM\b|\bEBUSY\b|\bEAGAIN\b|\bEMFILE\b|\bENFILE\b|CUDA failure|CUBLAS|CUDNN|cudaError/i;

/** The usual remedy: an exporter at a released opset with standard operators. */
const REEXPORT = 're-export the model with standard ONNX operators at a released opset (e.g. torch.onnx.export(..., opset_version=17))';

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** onnxruntime status text without the C++ source location and signature it starts with. */
function statusText(text: string): string {
  const line = firstLine(text);
  // "/onnxruntime_src/.../reshape_helper.h:84 onnxruntime::ReshapeHelper::ReshapeHelper(...) size != 0 ... was false. The input ..."
  const m = /^\/\S+:\d+ .*?\)\s+(.*)$/.exec(line);
  return (m ? m[1] : line).slice(0, 400);
}

/**
 * A ComputeError for an onnxruntime failure that says the model itself is wrong, or null when the
 * failure may be transient. `phase` is where it happened: loading the graph, or running it on
 * inputs of the contract's shapes (`shapes`, e.g. "x [B, 2], t [B]").
 */
export function classifyOrtError(err: unknown, model: string, phase: 'load' | 'run', shapes?: string): ComputeError | null {
  if (err instanceof ComputeError) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (TRANSIENT.test(text)) return null;
  const fail = (what: string) => new ComputeError('model', `model ${model}: ${what}`);
  let m: RegExpExecArray | null;
  if ((m = /No Op registered for (\S+) with domain_version of (\d+)/.exec(text))) {
    return fail(`unsupported operator ${m[1]} (onnxruntime has no kernel for it at opset ${m[2]}): ${REEXPORT}`);
  }
  if ((m = /No opset import for domain '([^']*)'/.exec(text))) {
    const op = /\(\s*"[^"]*",\s*([^,\s]+),\s*"[^"]*"/.exec(text)?.[1];
    return fail(`operator ${op ? `${op} ` : ''}from custom domain '${m[1]}' is not available in onnxruntime (and the model does not import that domain): ${REEXPORT}`);
  }
  if ((m = /Opset (\d+) is under development[\s\S]*?till opset (\d+)/.exec(text))) {
    return fail(`stamped with opset ${m[1]}, newer than this onnxruntime supports (up to opset ${m[2]}): re-export the model with opset <= ${m[2]}`);
  }
  if ((m = /Unsupported model IR version: (\d+), max supported IR version: (\d+)/.exec(text))) {
    return fail(`ONNX IR version ${m[1]} is newer than this onnxruntime reads (up to ${m[2]}): re-export the model with an older onnx package or exporter`);
  }
  if (/protobuf parsing failed|INVALID_PROTOBUF/i.test(text)) {
    return fail('not a valid ONNX file (protobuf parsing failed): re-export the model or copy the file again (it may be truncated)');
  }
  if ((m = /Non-zero status code returned while running (\S+) node\. Name:'([^']*)' Status Message: ([\s\S]*)/.exec(text))) {
    return fail(`node '${m[2]}' (${m[1]}) fails on inputs of the contract's shapes${shapes ? ` (${shapes})` : ''}: ${statusText(m[3])}; fix the graph so that it accepts them (check the reshapes and the batch dimension) and re-register it`);
  }
  if ((m = /Got invalid dimensions for output: (\S+) for the following indices\s+index: (\d+) Got: (\d+) Expected: (\d+)/.exec(text))) {
    // "Got" is the buffer of the contract's shape the caller offered, "Expected" what the graph computes.
    return fail(`output '${m[1]}' has size ${m[4]} in dimension ${m[2]} where the contract needs ${m[3]} (the shape of x${shapes ? `: ${shapes}` : ''}): fix the graph so that its output has the shape of x`);
  }
  if ((m = /Got invalid dimensions for input: (\S+) for the following indices\s+index: (\d+) Got: (\d+) Expected: (\d+)/.exec(text))) {
    return fail(`input '${m[1]}' must have size ${m[4]} in dimension ${m[2]}, but the contract feeds ${m[3]}${shapes ? ` (${shapes})` : ''}: make the graph accept x of shape [B, ...stepwise.shape]`);
  }
  if (/Got invalid dimensions for|Unexpected input data type|Missing Input|Invalid rank for (input|output)/i.test(text)) {
    return fail(`its inputs do not match the contract${shapes ? ` (${shapes})` : ''}: ${firstLine(text).slice(0, 400)}; re-export the model with those inputs`);
  }
  if (/This is an invalid model|INVALID_GRAPH|ShapeInferenceError|TypeInferenceError|Type Error:|Load model from .* failed|NOT_IMPLEMENTED|Could not find an implementation/i.test(text)) {
    const where = phase === 'load' ? 'onnxruntime rejects the graph' : 'onnxruntime cannot run the graph';
    return fail(`${where} (${firstLine(text).slice(0, 400)}): check it with onnx.checker.check_model(model, full_check=True) and ${REEXPORT}`);
  }
  return null;
}

/** Index of the first NaN or infinity in `a`, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/**
 * `denoiser` with every output checked: a NaN or infinity out of finite inputs is the model's
 * fault (a log or square root of a negative, a division by zero, an overflow in the graph) and
 * throws a ComputeError; out of non-finite inputs it is the solver's, and passes. The check is a
 * pass over each output, so callers use it to diagnose a run that ended non-finite, not on every run.
 */
export function checkedDenoiser<X extends FloatArray>(denoiser: Denoiser<X>, model: string): Denoiser<X> {
  return async (x, t, batch, into) => {
    const out = await denoiser(x, t, batch, into);
    const bad = firstNonFinite(out);
    if (bad >= 0 && firstNonFinite(x) < 0) {
      const dim = out.length / batch;
      throw new ComputeError(
        'model',
        `model ${model}: outputs ${out[bad]} for finite inputs (row ${Math.floor(bad / dim)} of ${batch}, element ${bad % dim}, t = ${t}): ` +
          'the graph is numerically broken there (a log or sqrt of a negative, a division by zero, an overflow); fix the model and re-register it',
      );
    }
    return out;
  };
}
