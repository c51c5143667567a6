import type { Denoiser, FloatArray } from './denoiser';

/**
 * Classifier-free guidance from ONE model call on a doubled batch laid out [uncond rows; cond rows]:
 *   eps = eps_u + w (eps_c - eps_u)
 * w = 1 is the conditional model, w = 0 the unconditional one. How the model tells the halves
 * apart (labels, a null token) is the model's business; it only has to keep this row layout.
 */

/** Combine a [2B, dim] output into [B, dim]. */
export function combineGuidance<O extends FloatArray = Float64Array>(out2: FloatArray, batch: number, dim: number, scale: number, out: O = new Float64Array(batch * dim) as O): O {
  const n = batch * dim;
  if (out2.length !== 2 * n) throw new RangeError(`guided model output has ${out2.length} values, expected 2*batch*dim = ${2 * n}`);
  if (out.length !== n) throw new RangeError(`output buffer has ${out.length} values, expected batch*dim = ${n}`);
  for (let i = 0; i < n; i++) {
    const u = out2[i];
    out[i] = u + scale * (out2[n + i] - u);
  }
  return out;
}

/**
 * Turn a model over the doubled batch into a plain Denoiser for the sampler. The doubled input
 * buffer is reused between calls (the model must not keep it).
 */
export function classifierFreeGuidance<X extends FloatArray = Float32Array>(
  model2: Denoiser<X>,
  scale: number,
  dim: number,
  makeBuffer: (length: number) => X = (length) => new Float32Array(length) as X,
): Denoiser<X> {
  if (!Number.isFinite(scale)) throw new RangeError(`guidance scale must be finite, got ${scale}`);
  let doubled: X | null = null;
  return async (x, t, batch, into) => {
    const n = batch * dim;
    if (x.length !== n) throw new RangeError(`x has ${x.length} values, expected batch*dim = ${n}`);
    if (!doubled || doubled.length !== 2 * n) doubled = makeBuffer(2 * n);
    doubled.set(x, 0);
    doubled.set(x, n);
    const out2 = await model2(doubled, t, 2 * batch);
    return into && into.length === n ? combineGuidance(out2, batch, dim, scale, into) : combineGuidance(out2, batch, dim, scale);
  };
}
