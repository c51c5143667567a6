import type { FloatArray } from './denoiser';

/**
 * The one loop the USF sampler runs over the batch between model calls. Everything between two
 * model calls is fused into a single pass, because at ONNX batch sizes the solver is bound by
 * memory traffic, not arithmetic (a [64, 3072] float64 buffer is 1.5 MB; separate passes for
 * "store x0", "combine", and "convert to float32" tripled the traffic and made the solver cost
 * 1-2x the model):
 *
 *   e = eps[j]                                         the evaluation just made, taken at xs
 *   storeEps[j] = e;  storeX0[j] = ia xs[j] - so e     only if a later update reads it
 *   v = a x[j] + b e + c xs[j] + sum_k w_k f_k[j]      the update (its use of e already folded in)
 *   out[j] = v;  input32[j] = v                        the state, and the next float32 model input
 *
 * Safe in place (out === x or out === xs): every element only reads its own index.
 */
export interface FusedPass {
  n: number;
  out: Float64Array;
  x: Float64Array;
  a: number;
  /** The fresh evaluation and where it was taken, or null when this pass ingests none. */
  eps: FloatArray | null;
  xs: Float64Array;
  b: number;
  /** Coefficient of xs; zero (and xs unread) when the sampler folded it into `a` (xs === x). */
  c: number;
  ia: number;
  so: number;
  storeEps: Float64Array | null;
  storeX0: Float64Array | null;
  /** Stored model outputs of earlier evaluations and their weights. */
  fs: Float64Array[];
  ws: number[];
  input32: Float32Array | null;
}

const NONE = new Float64Array(0);

export function runFusedPass(p: FusedPass): void {
  const { n, out, x, a, xs, b, c, ia, so, input32 } = p;
  const eps = p.eps;
  const k = p.fs.length;
  if (k > 4) {
    // Rare (order-4 updates with extra points): fused pass over four terms, then the rest.
    runFusedPass({ ...p, fs: p.fs.slice(0, 4), ws: p.ws.slice(0, 4), input32: null });
    for (let m = 4; m < k; m++) {
      const f = p.fs[m], w = p.ws[m];
      for (let j = 0; j < n; j++) out[j] += w * f[j];
    }
    if (input32) input32.set(out);
    return;
  }
  // Unused slots point at an empty array and are never read (k guards them), which keeps every
  // buffer variable a Float64Array so the loop stays monomorphic.
  const f0 = k > 0 ? p.fs[0] : NONE, f1 = k > 1 ? p.fs[1] : NONE, f2 = k > 2 ? p.fs[2] : NONE, f3 = k > 3 ? p.fs[3] : NONE;
  const w0 = k > 0 ? p.ws[0] : 0, w1 = k > 1 ? p.ws[1] : 0, w2 = k > 2 ? p.ws[2] : 0, w3 = k > 3 ? p.ws[3] : 0;

  if (eps === null) {
    // No fresh evaluation (the pass after a corrector): a plain linear combination.
    for (let j = 0; j < n; j++) {
      let v = a * x[j];
      if (k > 0) v += w0 * f0[j];
      if (k > 1) v += w1 * f1[j];
      if (k > 2) v += w2 * f2[j];
      if (k > 3) v += w3 * f3[j];
      out[j] = v;
      if (input32 !== null) input32[j] = v;
    }
    return;
  }
  const storeEps = p.storeEps, storeX0 = p.storeX0;
  const readXs = c !== 0 || storeX0 !== null;
  // The hot case (DPM-Solver++(2M), UniPC predictor, DEIS, DDIM): a specialized copy without the
  // per-element branches, which V8 does not hoist out of the loop.
  if (k === 1 && c === 0 && storeEps === null && storeX0 !== null && input32 !== null && xs === x) {
    for (let j = 0; j < n; j++) {
      const e = eps[j], xv = x[j];
      storeX0[j] = ia * xv - so * e;
      const v = a * xv + b * e + w0 * f0[j];
      out[j] = v;
      input32[j] = v;
    }
    return;
  }
  for (let j = 0; j < n; j++) {
    const e = eps[j];
    const sv = readXs ? xs[j] : 0;
    if (storeEps !== null) storeEps[j] = e;
    if (storeX0 !== null) storeX0[j] = ia * sv - so * e;
    let v = a * x[j] + b * e + c * sv;
    if (k > 0) v += w0 * f0[j];
    if (k > 1) v += w1 * f1[j];
    if (k > 2) v += w2 * f2[j];
    if (k > 3) v += w3 * f3[j];
    out[j] = v;
    if (input32 !== null) input32[j] = v;
  }
}
