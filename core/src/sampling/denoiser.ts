import type { NoiseSchedule } from './noise-schedules';

export type FloatArray = Float32Array | Float64Array;

/**
 * A batched model in noise-prediction form: x is [batch, dim] row-major, t is continuous time
 * (shared by the batch), the result is eps with the same layout. The sampler reuses the input
 * buffer between calls and copies the output before the next call, so a model must not modify x
 * or keep it, and may reuse its own output buffer. ONNX models take Float32Array (the default);
 * float64 references (analytic Gaussians) take Float64Array so tests are not limited by rounding.
 *
 * `out`, when given (length batch*dim, never overlapping x), is where the caller would like eps:
 * a model that writes it there and returns `out` saves the caller a copy. Ignoring it is allowed.
 */
export type Denoiser<X extends FloatArray = Float32Array> = (x: X, t: number, batch: number, out?: X) => Promise<FloatArray> | FloatArray;

export const MODEL_PREDICTIONS = ['noise', 'data', 'v', 'score'] as const;
export type ModelPrediction = (typeof MODEL_PREDICTIONS)[number];

/**
 * Wrap a model whose native output is x0 (`data`), v = alpha eps - sigma x0 (`v`), or the score
 * (`score`) so that it returns eps, which is what the sampler consumes:
 *   data:  eps = (x - alpha x0) / sigma      v: eps = alpha v + sigma x      score: eps = -sigma s
 */
export function asNoisePredictor<X extends FloatArray>(model: Denoiser<X>, kind: ModelPrediction, noise: NoiseSchedule): Denoiser<X> {
  if (kind === 'noise') return model;
  return async (x, t, batch, into) => {
    const out = await model(x, t, batch);
    if (out.length !== x.length) throw new RangeError(`model returned ${out.length} values for an input of ${x.length}`);
    const logA = noise.logAlpha(t);
    const alpha = Math.exp(logA), sigma = Math.sqrt(-Math.expm1(2 * logA));
    const eps: FloatArray = into && into.length === out.length && into !== out ? into : new Float64Array(out.length);
    switch (kind) {
      case 'data':
        for (let i = 0; i < eps.length; i++) eps[i] = (x[i] - alpha * out[i]) / sigma;
        break;
      case 'v':
        for (let i = 0; i < eps.length; i++) eps[i] = alpha * out[i] + sigma * x[i];
        break;
      case 'score':
        for (let i = 0; i < eps.length; i++) eps[i] = -sigma * out[i];
        break;
      default:
        throw new RangeError(`unknown model prediction "${String(kind)}"; use one of ${MODEL_PREDICTIONS.join(', ')}`);
    }
    return eps;
  };
}
