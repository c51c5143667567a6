import { afterAll, describe, expect, it } from 'vitest';
import { CounterRng, createGmm, getNoiseSchedule, gmmEps, gmmLogDensity, sampleGmmBatch, type IsotropicGmm, type NoiseScheduleName } from '@stepwise/core';
import { buildGmmOnnx, gmmChecksum } from './gmm-onnx';
import { inspectModelBytes } from './registry';
import { getSession, releaseSessions, runModel } from './runtime';
import { getTestbed } from './testbeds';

afterAll(releaseSessions);

function randomGmm(dim: number, k: number, seed: number): IsotropicGmm {
  const rng = new CounterRng(seed);
  return createGmm({
    weights: Array.from({ length: k }, () => 0.2 + rng.uniform()),
    means: Array.from({ length: k }, () => Array.from({ length: dim }, () => rng.normal())),
    variances: Array.from({ length: k }, () => 0.01 + 0.5 * rng.uniform()), // unequal: exercises the v_k - v_min term
  });
}

/** Rows of x_t = a x0 + s e with x0 from the mixture: the points a sampler actually visits. */
function noisyRows(gmm: IsotropicGmm, schedule: NoiseScheduleName, t: number, rows: number, seed: number): Float32Array {
  const noise = getNoiseSchedule(schedule);
  const a = noise.alpha(t), s = noise.sigma(t);
  const x0 = sampleGmmBatch(gmm, seed, 0, rows);
  const rng = new CounterRng(seed, 12345);
  return Float32Array.from(x0, (v) => a * v + s * rng.normal());
}

/** max over rows of |eps_onnx - eps_ref| / |eps_ref| (Euclidean norms per row). */
function worstRowRelError(got: ArrayLike<number>, ref: ArrayLike<number>, dim: number): number {
  let worst = 0;
  for (let off = 0; off < ref.length; off += dim) {
    let num = 0, den = 0;
    for (let j = off; j < off + dim; j++) {
      num += (got[j] - ref[j]) ** 2;
      den += ref[j] ** 2;
    }
    worst = Math.max(worst, Math.sqrt(num / den));
  }
  return worst;
}

async function onnxEps(gmm: IsotropicGmm, schedule: NoiseScheduleName, x: Float32Array, t: number, shape?: number[]): Promise<Float32Array> {
  const built = buildGmmOnnx(gmm, { schedule, shape });
  const session = await getSession({ bytes: built.bytes }, { device: 'cpu' });
  return runModel(session, x, t, x.length / gmm.dim, { shape: shape ?? [gmm.dim] });
}

describe('GMM as an ONNX graph equals the float64 reference (core gmmEps)', () => {
  const cases: Array<[number, number]> = [[2, 1], [2, 8], [2, 64], [64, 1], [64, 8], [64, 64], [3072, 1], [3072, 8], [3072, 64]];
  for (const [dim, k] of cases) {
    it(`D=${dim}, K=${k}, vp-linear, t in {0.01, 0.3, 0.9}: 1e-4 relative per row`, async () => {
      const gmm = randomGmm(dim, k, dim * 100 + k);
      for (const t of [0.01, 0.3, 0.9]) {
        const x = noisyRows(gmm, 'vp-linear', t, dim > 1000 ? 8 : 32, 7);
        const got = await onnxEps(gmm, 'vp-linear', x, t);
        // The graph sees t as float32: compare at that t.
        const ref = gmmEps(gmm, getNoiseSchedule('vp-linear'), x, Math.fround(t));
        expect(worstRowRelError(got, ref, dim), `t=${t}`).toBeLessThan(1e-4);
      }
    });
  }

  it('computes the cosine and discrete-DDPM schedules in the graph too (t from 1e-3 to the schedule end)', async () => {
    const gmm = randomGmm(16, 8, 5);
    for (const schedule of ['vp-cosine', 'ddpm-discrete'] as const) {
      for (const t of [0.001, 0.01, 0.3, 0.9, getNoiseSchedule(schedule).tMax]) {
        const x = noisyRows(gmm, schedule, t, 16, 3);
        const got = await onnxEps(gmm, schedule, x, t);
        const ref = gmmEps(gmm, getNoiseSchedule(schedule), x, Math.fround(t));
        expect(worstRowRelError(got, ref, 16), `${schedule} t=${t}`).toBeLessThan(1e-4);
      }
    }
  });

  it('keeps per-row times, image-shaped inputs and ambiguous points (midway between modes) right', async () => {
    const gmm = getTestbed('gmm-2d').gmm;
    // Midpoints between neighbouring ring modes: responsibilities split, the softmax matters.
    const rows: number[] = [];
    for (let k = 0; k < 8; k++) {
      const j = (k + 1) % 8;
      rows.push(0.5 * (gmm.means[2 * k] + gmm.means[2 * j]), 0.5 * (gmm.means[2 * k + 1] + gmm.means[2 * j + 1]));
    }
    const x = Float32Array.from(rows);
    const ts = Float32Array.from([0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0]);
    const session = await getSession({ bytes: buildGmmOnnx(gmm).bytes });
    const got = await runModel(session, x, ts, 8, { shape: [2] });
    const noise = getNoiseSchedule('vp-linear');
    for (let b = 0; b < 8; b++) {
      const ref = gmmEps(gmm, noise, x.subarray(2 * b, 2 * b + 2), ts[b]);
      expect(worstRowRelError(got.subarray(2 * b, 2 * b + 2), ref, 2), `t=${ts[b]}`).toBeLessThan(1e-4);
    }
    // [B, 3, 4, 4] input: same numbers as the flat model.
    const img = randomGmm(48, 4, 9);
    const xi = noisyRows(img, 'vp-linear', 0.2, 4, 1);
    const flat = await onnxEps(img, 'vp-linear', xi, 0.2);
    const shaped = await onnxEps(img, 'vp-linear', xi, 0.2, [3, 4, 4]);
    expect(Array.from(shaped)).toEqual(Array.from(flat));
  });

  it('eps = -sigma grad log p_t (central differences of core gmmLogDensity) in 2-D', async () => {
    const gmm = getTestbed('gmm-2d').gmm;
    const noise = getNoiseSchedule('vp-linear');
    const session = await getSession({ bytes: buildGmmOnnx(gmm).bytes });
    const rng = new CounterRng(77);
    const x = Float64Array.from({ length: 20 }, () => 2.5 * rng.normal());
    for (const t of [0.05, 0.3, 0.7]) {
      const tf = Math.fround(t), sigma = noise.sigma(tf), h = 1e-5;
      const fd = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const row = i >> 1, plus = x.slice(2 * row, 2 * row + 2), minus = plus.slice();
        plus[i & 1] += h;
        minus[i & 1] -= h;
        const g = (gmmLogDensity(gmm, noise, plus, tf)[0] - gmmLogDensity(gmm, noise, minus, tf)[0]) / (2 * h);
        fd[i] = -sigma * g;
      }
      const got = await runModel(session, Float32Array.from(x), tf, 10, { shape: [2] });
      expect(worstRowRelError(got, fd, 2), `t=${t}`).toBeLessThan(1e-4);
    }
  });

  it('core log-density of the 2-D ring integrates to 1 at t = 0 and t = 0.5', () => {
    const gmm = getTestbed('gmm-2d').gmm;
    const noise = getNoiseSchedule('vp-linear');
    const L = 7, n = 451, h = (2 * L) / (n - 1);
    const grid = new Float64Array(n * n * 2);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      grid[2 * (i * n + j)] = -L + i * h;
      grid[2 * (i * n + j) + 1] = -L + j * h;
    }
    for (const t of [0, 0.5]) {
      const logp = gmmLogDensity(gmm, noise, grid, t);
      let mass = 0;
      for (const lp of logp) mass += Math.exp(lp);
      expect(mass * h * h, `t=${t}`).toBeCloseTo(1, 6);
    }
  });

  it('writes the contract metadata and a parameter checksum; the bytes are deterministic', () => {
    const gmm = randomGmm(12, 3, 1);
    const a = buildGmmOnnx(gmm, { shape: [3, 2, 2] }), b = buildGmmOnnx(randomGmm(12, 3, 1), { shape: [3, 2, 2] });
    expect(a.sha256).toBe(b.sha256);
    expect(a.metadata).toMatchObject({
      'stepwise.schedule': 'vp-linear', 'stepwise.prediction': 'noise', 'stepwise.shape': '[3,2,2]',
      'stepwise.kind': 'gmm', 'stepwise.gmm.checksum': gmmChecksum(gmm), 'stepwise.gmm.components': '3',
    });
    const contract = inspectModelBytes(a.bytes);
    expect(contract).toMatchObject({ kind: 'gmm', schedule: 'vp-linear', prediction: 'noise', shape: [3, 2, 2], dim: 12, conditional: false, outputName: 'eps' });
    expect(gmmChecksum(randomGmm(12, 3, 2))).not.toBe(gmmChecksum(gmm));
    expect(() => buildGmmOnnx(gmm, { shape: [5, 2] })).toThrow(/does not hold/);
  });
});
