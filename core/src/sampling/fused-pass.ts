import type { FloatArray } from './denoiser';

/**
 * The loops the USF sampler runs over the batch between model calls (see the end of usf.ts).
 * Everything between two model calls is one pass:
 *
 *   e = eps[j]                                    the evaluation just made, taken at xs
 *   rec[j] = p xs[j] + q e                        the record later updates read: x0 = (ia, -so),
 *                                                 eps = (0, 1)
 *   v = a x[j] + b e + c xs[j] + sum_k w_k f_k[j] the update, the fresh evaluation folded into b, c
 *   out[j] = v;  input32[j] = v                   the state, and the next float32 model input
 *
 * At ONNX batch sizes this is what the solver costs, and in V8 it is bound by instructions per
 * element: a version with per-element `if (store !== null)` tests ran at half the speed of a
 * branch-free loop, and every extra term costs ~20%. So the common shapes get their own
 * branch-free loop, with 0-3 stored terms: the evaluation taken at the state itself (every
 * multistep step), taken elsewhere (correctors, singlestep stages), or no fresh evaluation (the
 * predictor after a corrector); the rest (one evaluation kept in both forms, more than three
 * stored terms) goes through a slower sequence of simple passes.
 *
 * All loops read element j of every input before writing element j of any output, so they are
 * safe in place (out === x, out === xs) and with rec === out (how "keep no record" is written:
 * the dead store hits the cache line the update writes anyway, cheaper than a branch).
 */
export interface FusedPass {
  n: number;
  out: Float64Array;
  x: Float64Array;
  a: number;
  /** The fresh evaluation, or null when this pass ingests none (it follows a corrector). */
  eps: FloatArray | null;
  /** Where the fresh evaluation was taken; `x` itself for multistep steps. */
  xs: Float64Array;
  b: number;
  c: number;
  /** x0 = ia xs - so eps. */
  ia: number;
  so: number;
  storeEps: Float64Array | null;
  storeX0: Float64Array | null;
  /** Stored records of earlier evaluations and their weights. */
  fs: Float64Array[];
  ws: number[];
  /** Receives out as float32: the next model input. */
  input32: Float32Array;
}

export function runFusedPass(p: FusedPass): void {
  const k = p.fs.length;
  if (p.eps !== null && k <= 3 && !(p.storeEps && p.storeX0)) {
    const rec = p.storeX0 ?? p.storeEps ?? p.out;
    const pc = p.storeX0 ? p.ia : 0;
    const qc = p.storeX0 ? -p.so : p.storeEps ? 1 : 0;
    if (p.xs === p.x) freshAtState(p, p.eps, rec, pc, qc, p.input32);
    else freshElsewhere(p, p.eps, rec, pc, qc, p.input32);
    return;
  }
  if (p.eps === null && k >= 1 && k <= 3) {
    plain(p, p.input32);
    return;
  }
  slowPass(p);
}

/** The evaluation was taken at x itself (xs === x): c is already folded into a. */
function freshAtState(p: FusedPass, eps: FloatArray, rec: Float64Array, pc: number, qc: number, in32: Float32Array): void {
  const { n, out, x, a, b } = p;
  const [f0, f1, f2] = p.fs;
  const [w0, w1, w2] = p.ws;
  switch (p.fs.length) {
    case 0:
      for (let j = 0; j < n; j++) {
        const e = eps[j], xv = x[j];
        const r = pc * xv + qc * e, v = a * xv + b * e;
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    case 1:
      for (let j = 0; j < n; j++) {
        const e = eps[j], xv = x[j];
        const r = pc * xv + qc * e, v = a * xv + b * e + w0 * f0[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    case 2:
      for (let j = 0; j < n; j++) {
        const e = eps[j], xv = x[j];
        const r = pc * xv + qc * e, v = a * xv + b * e + w0 * f0[j] + w1 * f1[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    default:
      for (let j = 0; j < n; j++) {
        const e = eps[j], xv = x[j];
        const r = pc * xv + qc * e, v = a * xv + b * e + w0 * f0[j] + w1 * f1[j] + w2 * f2[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
  }
}

/** The evaluation was taken at xs !== x (a corrector's predicted point, a singlestep stage). */
function freshElsewhere(p: FusedPass, eps: FloatArray, rec: Float64Array, pc: number, qc: number, in32: Float32Array): void {
  const { n, out, x, xs, a, b, c } = p;
  const [f0, f1, f2] = p.fs;
  const [w0, w1, w2] = p.ws;
  switch (p.fs.length) {
    case 0:
      for (let j = 0; j < n; j++) {
        const e = eps[j], sv = xs[j];
        const r = pc * sv + qc * e, v = a * x[j] + b * e + c * sv;
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    case 1:
      for (let j = 0; j < n; j++) {
        const e = eps[j], sv = xs[j];
        const r = pc * sv + qc * e, v = a * x[j] + b * e + c * sv + w0 * f0[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    case 2:
      for (let j = 0; j < n; j++) {
        const e = eps[j], sv = xs[j];
        const r = pc * sv + qc * e, v = a * x[j] + b * e + c * sv + w0 * f0[j] + w1 * f1[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
      return;
    default:
      for (let j = 0; j < n; j++) {
        const e = eps[j], sv = xs[j];
        const r = pc * sv + qc * e, v = a * x[j] + b * e + c * sv + w0 * f0[j] + w1 * f1[j] + w2 * f2[j];
        rec[j] = r; out[j] = v; in32[j] = v;
      }
  }
}

/** No fresh evaluation (the predictor after a corrector): out = a x + sum_k w_k f_k. */
function plain(p: FusedPass, in32: Float32Array): void {
  const { n, out, x, a } = p;
  const [f0, f1, f2] = p.fs;
  const [w0, w1, w2] = p.ws;
  switch (p.fs.length) {
    case 1:
      for (let j = 0; j < n; j++) {
        const v = a * x[j] + w0 * f0[j];
        out[j] = v; in32[j] = v;
      }
      return;
    case 2:
      for (let j = 0; j < n; j++) {
        const v = a * x[j] + w0 * f0[j] + w1 * f1[j];
        out[j] = v; in32[j] = v;
      }
      return;
    default:
      for (let j = 0; j < n; j++) {
        const v = a * x[j] + w0 * f0[j] + w1 * f1[j] + w2 * f2[j];
        out[j] = v; in32[j] = v;
      }
  }
}

/**
 * Everything else, as a few simple passes: one evaluation kept in both forms (schedules mixing
 * noise and data steps), more than three stored terms.
 */
function slowPass(p: FusedPass): void {
  const { n, out, x, xs, a, b, c, ia, so, eps } = p;
  if (eps !== null) {
    // Records first: out may be x or xs, which they are computed from.
    if (p.storeEps) p.storeEps.set(eps);
    if (p.storeX0) {
      const x0 = p.storeX0;
      for (let j = 0; j < n; j++) x0[j] = ia * xs[j] - so * eps[j];
    }
    for (let j = 0; j < n; j++) out[j] = a * x[j] + b * eps[j] + c * xs[j];
  } else {
    for (let j = 0; j < n; j++) out[j] = a * x[j];
  }
  for (let m = 0; m < p.fs.length; m++) {
    const f = p.fs[m], w = p.ws[m];
    for (let j = 0; j < n; j++) out[j] += w * f[j];
  }
  p.input32.set(out);
}
