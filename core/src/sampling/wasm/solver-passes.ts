import type { Denoiser, FloatArray } from '../denoiser';
import { acquireArena, KernelArena, releaseArena } from './pass-kernels';
import { DC_SCALARS, V3_COEFFICIENT_VECTORS } from './solver-kernels-wat';

/**
 * Float32-state sampling loops of DPM-Solver-v3 and DC-Solver: one call into WebAssembly per
 * model evaluation (v3step / dcstep, solver-kernels-wat.ts), the state, the stored evaluations
 * and the model's input and output in one kernel arena, so that between two model calls a solver
 * reads and writes each value once, as the USF float32 passes do. Every coefficient is computed
 * beforehand (per-dimension vectors for v3, scalars for DC), in float64.
 */

type Float32Model = Denoiser<Float32Array>;

/** The model's eps for the input buffer, in the arena's eps buffer (copied when the model returned its own). */
async function evaluate(model: Float32Model, x: Float32Array, t: number, batch: number, eps: Float32Array): Promise<void> {
  const out: FloatArray = await model(x, t, batch, eps);
  if (out.length !== x.length) throw new RangeError(`model returned ${out.length} values for an input of ${x.length}`);
  if (out !== eps) eps.set(out);
}

export const V3_VECTORS = V3_COEFFICIENT_VECTORS.length;

export interface V3Program {
  dim: number;
  nfe: number;
  timesteps: number[];
  sigmas: number[];
  /** [nfe][V3_VECTORS][dim] float64: step i's coefficient vectors in V3_COEFFICIENT_VECTORS order. */
  coefficients: Float64Array;
}

/** Whether the v3 kernel takes this shape (its coefficient walk needs an even dim). */
export const v3KernelFits = (dim: number, batch: number, nfe: number) => dim % 2 === 0 && KernelArena.fits(batch * dim, 7 + v3CoefficientBuffers(batch * dim, dim, nfe));

function v3CoefficientBuffers(n: number, dim: number, nfe: number): number {
  return Math.ceil((2 * nfe * V3_VECTORS * dim) / KernelArena.strideOf(n));
}

/**
 * v3 with float32 state. Buffers: 0 the model input x_i, 1 the corrected previous state, 2 eps,
 * 3-6 the ring of the last four N = sigma eps - l x, then the coefficients (loaded once per arena
 * and program: the arena keeps the program as its tag).
 */
export async function sampleV3Float32(model: Float32Model, program: V3Program, xT: FloatArray, batch: number, out: Float64Array): Promise<number> {
  const { dim, nfe } = program;
  const n = batch * dim;
  const coefBufs = v3CoefficientBuffers(n, dim, nfe);
  const arena = acquireArena(n, 7 + coefBufs, program);
  try {
    const v = arena.views;
    if (arena.tag !== program) {
      arena.float64(7, program.coefficients.length).set(program.coefficients);
      arena.tag = program;
    }
    v[0].set(xT);
    for (let b = 1; b < 7; b++) v[b].fill(0); // unused terms read zeros (times zero coefficients), never stale NaN
    const ex = arena.kernels as unknown as { v3step: (...a: number[]) => void; v3step4: (...a: number[]) => void };
    // Four values per iteration where the coefficient rows allow it (dim a multiple of 4), else two.
    const step = dim % 4 === 0 ? ex.v3step4 : ex.v3step;
    const m = dim % 4 === 0 ? Math.ceil(n / 4) * 4 : n;
    const P = (b: number) => arena.ptr(b);
    const coef0 = P(7), stepBytes = V3_VECTORS * dim * 8;
    let ring = [3, 4, 5, 6];
    for (let i = 0; i < nfe; i++) {
      await evaluate(model, v[0], program.timesteps[i], batch, v[2]);
      const [b0, b1, b2, b3] = ring;
      step(m, dim, P(2), P(0), P(1), P(b0), P(b1), P(b2), P(b3), P(1), P(0), coef0 + i * stepBytes, program.sigmas[i]);
      ring = [b3, b0, b1, b2];
    }
    out.set(v[0]);
  } finally {
    releaseArena(arena);
  }
  return nfe;
}

export interface DcProgram {
  nfe: number;
  timesteps: number[];
  /** Per model evaluation k: the DC_SCALARS of the pass after it. */
  scalars: number[][];
}

export const dcKernelFits = (n: number) => KernelArena.fits(n, 7);

/**
 * DC-Solver (UniPC-bh with compensation of order 2) with float32 state. Buffers: 0 the model
 * input, 1 eps, 2 the corrected state, 3-6 the ring of compensated data predictions.
 */
export async function sampleDcFloat32(model: Float32Model, program: DcProgram, xT: FloatArray, batch: number, dim: number, out: Float64Array): Promise<number> {
  const n = batch * dim;
  const arena = acquireArena(n, 7);
  try {
    const v = arena.views;
    v[0].set(xT);
    for (let b = 1; b < 7; b++) v[b].fill(0);
    const ex = arena.kernels as unknown as { dcstep: (...a: number[]) => void };
    const P = (b: number) => arena.ptr(b);
    // The kernel does four values per iteration: the arena pads buffers to a multiple of sixteen.
    const m = Math.ceil(n / 4) * 4;
    let ring = [3, 4, 5, 6];
    for (let k = 0; k < program.nfe; k++) {
      await evaluate(model, v[0], program.timesteps[k], batch, v[1]);
      const [b0, b1, b2, b3] = ring;
      ex.dcstep(m, P(0), P(1), P(2), P(b0), P(b1), P(b2), P(2), P(b3), P(0), ...program.scalars[k]);
      ring = [b3, b0, b1, b2];
    }
    out.set(v[0]);
  } finally {
    releaseArena(arena);
  }
  return program.nfe;
}

export { DC_SCALARS };
