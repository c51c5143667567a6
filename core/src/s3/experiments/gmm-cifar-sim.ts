import { initialNoise } from '../../rng';
import { gmmCifarRecipe } from '../../sampling/testbed-recipes';
import { buildPresetSchedule } from '../../sampling/presets';
import { getNoiseSchedule, type NoiseSchedule } from '../../sampling/noise-schedules';
import type { Denoiser } from '../../sampling/denoiser';
import { planUsf, sampleUsf } from '../../sampling/usf';
import type { TSolverSchedule } from '../../sampling/schedule';

/**
 * gmm-cifar (workers/src/models/testbeds.ts, rebuilt here from the same seed and recipe) solved
 * EXACTLY in a 65-dimensional reduction, for experiments that evaluate thousands of schedules.
 *
 * Why the reduction is exact: the mixture is isotropic, so the eps field at x depends on x only
 * through its projection c onto the span of the 64 means (an orthonormal basis Q) and |x|^2, and
 * it is a combination of x and the means. Every USF update is a linear combination of states and
 * eps values, so the component of x_t orthogonal to span(Q) stays a multiple p of the initial
 * noise's orthogonal direction. The state (c, p) in R^65 is therefore exact; what changes is only
 * that the Gaussian normalization of each component keeps the full dimension 3072. Squared
 * distances between endpoints are the same in (c, p) as in R^3072 (Q is orthonormal and p lives
 * on one shared unit direction per sample), so per-sample RMSE = |delta|/sqrt(3072).
 */

export const CIFAR_DIM = 3072;
const K = 64;

export interface ReducedGmm {
  noise: NoiseSchedule;
  /** Means in reduced coordinates, [K, 65] (last coordinate 0). */
  means: Float64Array;
  muSq: Float64Array;
  logWeights: Float64Array;
  variances: Float64Array;
  /** Orthonormal basis of the means' span, [K, 3072]. */
  basis: Float64Array;
  rdim: number;
}

function cifarMeans(): { means: number[][]; variances: number[]; weights: number[] } {
  // The testbed's own recipe (seed 104), shared with workers/src/models/testbeds.ts.
  return gmmCifarRecipe(104);
}

export function buildReducedCifar(): ReducedGmm {
  const { means, variances, weights } = cifarMeans();
  const D = CIFAR_DIM, R = K + 1;
  const basis = new Float64Array(K * D);
  // Modified Gram-Schmidt, two passes (the means are far from orthogonal).
  for (let k = 0; k < K; k++) {
    const v = Float64Array.from(means[k]);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let x = 0; x < D; x++) dot += v[x] * basis[j * D + x];
        for (let x = 0; x < D; x++) v[x] -= dot * basis[j * D + x];
      }
    }
    let norm = 0;
    for (let x = 0; x < D; x++) norm += v[x] * v[x];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-8)) throw new Error('gmm-cifar means are linearly dependent');
    for (let x = 0; x < D; x++) basis[k * D + x] = v[x] / norm;
  }
  const rm = new Float64Array(K * R), muSq = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K; j++) {
      let dot = 0;
      for (let x = 0; x < D; x++) dot += means[k][x] * basis[j * D + x];
      rm[k * R + j] = dot;
      muSq[k] += dot * dot;
    }
  }
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    noise: getNoiseSchedule('vp-linear'), means: rm, muSq, basis, rdim: R,
    logWeights: Float64Array.from(weights, (w) => Math.log(w / total)), variances: Float64Array.from(variances),
  };
}

/** Component logits per row at (alpha, sigma); writes eps when asked. */
function reducedPass(g: ReducedGmm, y: Float64Array, alpha: number, sigma: number, eps: Float64Array | null, argmax: Int32Array | null): void {
  const R = g.rdim, B = y.length / R;
  const v = new Float64Array(K), base = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    v[k] = alpha * alpha * g.variances[k] + sigma * sigma;
    base[k] = g.logWeights[k] - 0.5 * CIFAR_DIM * Math.log(v[k]);
  }
  const logit = new Float64Array(K);
  for (let b = 0; b < B; b++) {
    const o = b * R;
    let ySq = 0;
    for (let j = 0; j < R; j++) ySq += y[o + j] * y[o + j];
    let mx = -Infinity, arg = 0;
    for (let k = 0; k < K; k++) {
      let dot = 0;
      const mo = k * R;
      for (let j = 0; j < K; j++) dot += y[o + j] * g.means[mo + j];
      const d2 = Math.max(0, ySq - 2 * alpha * dot + alpha * alpha * g.muSq[k]);
      logit[k] = base[k] - d2 / (2 * v[k]);
      if (logit[k] > mx) {
        mx = logit[k];
        arg = k;
      }
    }
    if (argmax) argmax[b] = arg;
    if (!eps) continue;
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(logit[k] - mx);
    let sumCoef = 0;
    for (let k = 0; k < K; k++) {
      logit[k] = Math.exp(logit[k] - mx) / z / v[k];
      sumCoef += logit[k];
    }
    for (let j = 0; j < R; j++) {
      let acc = 0;
      if (j < K) for (let k = 0; k < K; k++) acc += logit[k] * g.means[k * R + j];
      eps[o + j] = sigma * (y[o + j] * sumCoef - alpha * acc);
    }
  }
}

export function reducedDenoiser(g: ReducedGmm): Denoiser<Float64Array> {
  return (x, t) => {
    const logA = g.noise.logAlpha(t);
    const eps = new Float64Array(x.length);
    reducedPass(g, x, Math.exp(logA), Math.sqrt(-Math.expm1(2 * logA)), eps, null);
    return eps;
  };
}

/** initialNoise(seed, i, 3072) for i in [start, start+count), projected to (c, p). */
export function reducedNoise(g: ReducedGmm, seed: number, start: number, count: number): Float64Array {
  const D = CIFAR_DIM, R = g.rdim;
  const out = new Float64Array(count * R);
  for (let i = 0; i < count; i++) {
    const x = initialNoise(seed, start + i, D);
    let sq = 0, csq = 0;
    for (let d = 0; d < D; d++) sq += x[d] * x[d];
    for (let k = 0; k < K; k++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += x[d] * g.basis[k * D + d];
      out[i * R + k] = dot;
      csq += dot * dot;
    }
    out[i * R + K] = Math.sqrt(Math.max(0, sq - csq));
  }
  return out;
}

export interface SimMetric {
  /** Mean over samples of per-sample RMSE against the reference endpoint. */
  rmse: number;
  /** Square root of the pooled MSE. */
  pooledRmse: number;
  /** Share of samples whose nearest component at tEnd differs from the reference's. */
  wrongComponent: number;
  perSample: Float64Array;
  /** 1 where the sample ended in another component than the reference. */
  wrong: Uint8Array;
}

export interface SimProblem {
  g: ReducedGmm;
  xT: Float64Array;
  ref: Float64Array;
  refComponent: Int32Array;
  batch: number;
  tEnd: number;
}

/** The problem at `samples` seeds with the reference from UniPC-bh2 at NFE `refNfe` to the same tEnd. */
export async function buildProblem(opts: { samples: number; seed?: number; tEnd?: number; refNfe?: number; g?: ReducedGmm }): Promise<SimProblem> {
  const g = opts.g ?? buildReducedCifar();
  const tEnd = opts.tEnd ?? 1e-3;
  const xT = reducedNoise(g, opts.seed ?? 7, 0, opts.samples);
  const schedule = buildPresetSchedule('unipc-bh2', opts.refNfe ?? 500, { tEnd });
  const r = await sampleUsf({ model: reducedDenoiser(g), modelInput: 'float64', xT, batch: opts.samples, dim: g.rdim, schedule });
  const refComponent = new Int32Array(opts.samples);
  const logA = g.noise.logAlpha(tEnd);
  reducedPass(g, r.x0, Math.exp(logA), Math.sqrt(-Math.expm1(2 * logA)), null, refComponent);
  return { g, xT, ref: r.x0, refComponent, batch: opts.samples, tEnd };
}

/** Exact metric of a schedule on the problem (NaN when sampling fails or diverges). */
export async function evaluateSchedule(p: SimProblem, schedule: TSolverSchedule): Promise<SimMetric> {
  const R = p.g.rdim;
  const perSample = new Float64Array(p.batch);
  try {
    const plan = planUsf(schedule);
    const r = await sampleUsf({ model: reducedDenoiser(p.g), modelInput: 'float64', xT: p.xT, batch: p.batch, dim: R, schedule, plan });
    let sum = 0, pooled = 0;
    for (let b = 0; b < p.batch; b++) {
      let d2 = 0;
      for (let j = 0; j < R; j++) d2 += (r.x0[b * R + j] - p.ref[b * R + j]) ** 2;
      perSample[b] = Math.sqrt(d2 / CIFAR_DIM);
      sum += perSample[b];
      pooled += d2 / CIFAR_DIM;
    }
    const comp = new Int32Array(p.batch);
    const logA = p.g.noise.logAlpha(p.tEnd);
    reducedPass(p.g, r.x0, Math.exp(logA), Math.sqrt(-Math.expm1(2 * logA)), null, comp);
    let wrong = 0;
    const flags = new Uint8Array(p.batch);
    for (let b = 0; b < p.batch; b++) if (comp[b] !== p.refComponent[b]) (wrong++, (flags[b] = 1));
    const rmse = sum / p.batch;
    return { rmse: Number.isFinite(rmse) ? rmse : NaN, pooledRmse: Math.sqrt(pooled / p.batch), wrongComponent: wrong / p.batch, perSample, wrong: flags };
  } catch {
    return { rmse: NaN, pooledRmse: NaN, wrongComponent: NaN, perSample, wrong: new Uint8Array(p.batch) };
  }
}
