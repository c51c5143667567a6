import { createHash } from 'node:crypto';
import {
  getNoiseSchedule,
  type DdpmDiscreteSchedule,
  type IsotropicGmm,
  type NoiseScheduleName,
  type VpCosineSchedule,
  type VpLinearSchedule,
} from '@stepwise/core';
import { GraphBuilder, TensorDataType } from './onnx-graph';

/**
 * The exact noise prediction of an isotropic Gaussian mixture as an ONNX graph (DESIGN section 4),
 * so analytic testbeds run through the same onnxruntime path as learned models.
 *
 * With x_t = a x_0 + s e, component k is N(a mu_k, v_k I), v_k = a^2 s_k^2 + s^2, and
 *   eps(x, t) = s sum_k r_k (x - a mu_k) / v_k,
 *   r = softmax_k(log w_k - |x - a mu_k|^2 / (2 v_k) - (D/2) log v_k).
 * Squared distances come from |x|^2 - 2a x.mu_k + a^2 |mu_k|^2 (one Gemm against the means), and
 * eps = s (x sum_k r_k/v_k - a (r/v) @ mu) (one MatMul), so memory stays O(B (D + K)).
 *
 * Float32 care: the |x|^2/(2 v_k) term is large (~D/2) and common to every component when the
 * variances are equal, so the graph subtracts the row's |x|^2/(2 min_k v_k) before the softmax
 * (softmax is shift-invariant) and keeps only the remainder |x|^2 (v_k - v_min)/(2 v_k v_min). And s^2 = 1 - a^2
 * is formed without cancellation (a series for -expm1 at small t; a product of sines for cosine),
 * since 1 - exp(2 log a) in float32 would lose most digits of s^2 ~ 1e-3 near t = 0.
 */

export const GMM_MODEL_KIND = 'gmm';

export interface GmmOnnxOptions {
  /** VP schedule computed inside the graph from `t`. Default `vp-linear`. */
  schedule?: NoiseScheduleName;
  /** Per-sample shape, e.g. [3, 32, 32]; its product must equal gmm.dim. Default [dim]. */
  shape?: readonly number[];
  /** Graph name. */
  name?: string;
  /** Extra metadata_props (e.g. stepwise.testbed); cannot override the contract keys. */
  metadata?: Record<string, string>;
}

export interface BuiltOnnxModel {
  bytes: Uint8Array;
  /** sha256 (hex) of `bytes`. */
  sha256: string;
  metadata: Record<string, string>;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** "[3,32,32]": the `stepwise.shape` metadata format. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * sha256 of the mixture's float64 parameters (dim, K, weights, means, variances, little-endian):
 * identifies the distribution independent of how the graph is serialized.
 */
export function gmmChecksum(gmm: IsotropicGmm): string {
  const K = gmm.weights.length;
  const header = Float64Array.of(gmm.dim, K);
  const h = createHash('sha256').update('stepwise-gmm-v1');
  for (const a of [header, gmm.weights, gmm.means, gmm.variances]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
}

/** alpha [B,1] and sigma^2 [B,1] from tcol [B,1], per schedule, in float32-safe forms. */
function scheduleNodes(g: GraphBuilder, name: NoiseScheduleName, tcol: string): { alpha: string; sig2: string } {
  // -expm1(z) for z <= 0: Taylor series where 1 - e^z would cancel, the direct form elsewhere.
  const negExpm1 = (z: string): string => {
    const direct = g.sub(g.scalar(1), g.op('Exp', [z]));
    let acc = g.add(g.scalar(1 / 120), g.mul(z, g.scalar(1 / 720)));
    for (const c of [1 / 24, 1 / 6, 1 / 2, 1]) acc = g.add(g.scalar(c), g.mul(z, acc));
    const series = g.mul(g.op('Neg', [z]), acc);
    return g.op('Where', [g.op('Less', [z, g.scalar(-0.1)]), direct, series]);
  };
  const fromLogAlpha = (logA: string) => ({ alpha: g.op('Exp', [logA]), sig2: negExpm1(g.mul(logA, g.scalar(2))) });

  const noise = getNoiseSchedule(name);
  switch (name) {
    case 'vp-linear': {
      const { beta0, beta1 } = noise as VpLinearSchedule;
      // log a = t (-(b1 - b0)/4 t - b0/2)
      const logA = g.mul(tcol, g.add(g.mul(tcol, g.scalar(-0.25 * (beta1 - beta0))), g.scalar(-0.5 * beta0)));
      return fromLogAlpha(logA);
    }
    case 'vp-cosine': {
      const { s } = noise as VpCosineSchedule;
      // a = cos(th)/cos(th0), th = (t + s)/(1 + s) pi/2;
      // 1 - a = (cos th0 - cos th)/cos th0 = 2 sin((th + th0)/2) sin((th - th0)/2) / cos th0.
      const k = Math.PI / (2 * (1 + s));
      const th0 = s * k, invCos0 = 1 / Math.cos(th0);
      const th = g.mul(g.add(tcol, g.scalar(s)), g.scalar(k));
      const alpha = g.mul(g.op('Cos', [th]), g.scalar(invCos0));
      const sinSum = g.op('Sin', [g.mul(g.add(tcol, g.scalar(2 * s)), g.scalar(k / 2))]);
      const sinDiff = g.op('Sin', [g.mul(tcol, g.scalar(k / 2))]);
      const d = g.mul(g.mul(sinSum, sinDiff), g.scalar(2 * invCos0));
      return { alpha, sig2: g.mul(d, g.sub(g.scalar(2), d)) };
    }
    case 'ddpm-discrete': {
      // log a is piecewise linear on the grid t_n = n/N (n = 0..N), extrapolated past t = 1.
      const sched = noise as DdpmDiscreteSchedule;
      const N = sched.numSteps;
      const grid = Array.from({ length: N + 1 }, (_, n) => sched.logAlpha(n / N));
      const slopes = Array.from({ length: N + 1 }, (_, n) => (n < N ? grid[n + 1] - grid[n] : 0));
      const u = g.op('Max', [g.mul(tcol, g.scalar(N)), g.scalar(0)]);
      const kf = g.op('Min', [g.op('Floor', [u]), g.scalar(N - 1)]);
      const ki = g.op('Cast', [kf], { to: { int: TensorDataType.INT64 } });
      const base = g.op('Gather', [g.constFloat('ddpm_log_alpha', grid), ki], { axis: { int: 0 } });
      const slope = g.op('Gather', [g.constFloat('ddpm_slope', slopes), ki], { axis: { int: 0 } });
      return fromLogAlpha(g.add(base, g.mul(slope, g.sub(u, kf))));
    }
    default:
      throw new RangeError(`no in-graph form for noise schedule "${String(name)}"`);
  }
}

export function buildGmmOnnx(gmm: IsotropicGmm, options: GmmOnnxOptions = {}): BuiltOnnxModel {
  const schedule = options.schedule ?? 'vp-linear';
  const D = gmm.dim, K = gmm.weights.length;
  const shape = options.shape ?? [D];
  if (shape.length < 1 || shape.some((n) => !Number.isInteger(n) || n < 1) || shape.reduce((a, b) => a * b, 1) !== D) {
    throw new RangeError(`shape ${formatShape(shape)} does not hold the mixture's ${D} coordinates`);
  }

  const g = new GraphBuilder(options.name ?? `gmm_d${D}_k${K}`);
  const x = g.input('x', TensorDataType.FLOAT, ['B', ...shape]);
  const t = g.input('t', TensorDataType.FLOAT, ['B']);
  g.output('eps', TensorDataType.FLOAT, ['B', ...shape]);

  const muSq = new Float64Array(K);
  for (let k = 0; k < K; k++) for (let j = 0; j < D; j++) muSq[k] += gmm.means[k * D + j] ** 2;
  const mu = g.constFloat('means', gmm.means, [K, D]);
  const logW = g.constFloat('log_weights', Array.from(gmm.weights, Math.log), [K]);
  const varK = g.constFloat('variances', gmm.variances, [K]);
  const muSqC = g.constFloat('means_sq', muSq, [K]);
  const axis1 = g.constInt64('axis1', [1]);

  const xf = shape.length === 1 ? x : g.op('Flatten', [x], { axis: { int: 1 } });
  const tcol = g.op('Unsqueeze', [t, axis1]);
  const { alpha, sig2 } = scheduleNodes(g, schedule, tcol);
  const a2 = g.mul(alpha, alpha);

  const v = g.add(g.mul(a2, varK), sig2); // [B,K]
  const vMin = g.op('ReduceMin', [v], { axes: { ints: [1] }, keepdims: { int: 1 } }); // [B,1]
  const xSq = g.op('ReduceSumSquare', [xf], { axes: { ints: [1] }, keepdims: { int: 1 } }); // [B,1]
  const dot = g.op('Gemm', [xf, mu], { transB: { int: 1 } }); // [B,K] = x . mu_k
  // logit_k + |x|^2/(2 v_min) = log w_k - (D/2) log v_k + (2a x.mu_k - a^2 |mu_k|^2)/(2 v_k) + |x|^2 (v_k - v_min)/(2 v_k v_min)
  const cross = g.sub(g.mul(g.mul(alpha, g.scalar(2)), dot), g.mul(a2, muSqC));
  const xTerm = g.mul(xSq, g.div(g.sub(v, vMin), g.mul(g.mul(v, vMin), g.scalar(2))));
  const logit = g.add(
    g.add(g.sub(logW, g.mul(g.op('Log', [v]), g.scalar(D / 2))), g.div(cross, g.mul(v, g.scalar(2)))),
    xTerm,
  );
  const r = g.op('Softmax', [logit], { axis: { int: 1 } });
  const c = g.div(r, v); // r_k / v_k
  const sumC = g.op('ReduceSum', [c, axis1], { keepdims: { int: 1 } });
  const cMu = g.op('MatMul', [c, mu]); // [B,D]
  const epsFlat = g.mul(g.sub(g.mul(xf, sumC), g.mul(alpha, cMu)), g.op('Sqrt', [sig2]));
  if (shape.length === 1) g.op('Identity', [epsFlat], {}, 'eps');
  else g.op('Reshape', [epsFlat, g.op('Shape', [x])], {}, 'eps');

  const metadata: Record<string, string> = {
    ...options.metadata,
    'stepwise.schedule': schedule,
    'stepwise.prediction': 'noise',
    'stepwise.shape': formatShape(shape),
    'stepwise.kind': GMM_MODEL_KIND,
    'stepwise.gmm.checksum': gmmChecksum(gmm),
    'stepwise.gmm.components': String(K),
  };
  const bytes = g.toModel({ metadata, docString: `Exact eps of a ${K}-component isotropic Gaussian mixture in ${D} dimensions (${schedule}).` });
  return { bytes, sha256: sha256Hex(bytes), metadata };
}
