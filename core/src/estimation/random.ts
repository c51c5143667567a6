/**
 * The randomness the library consumes. Nothing here owns a generator: callers inject one
 * (`CounterRng` satisfies both interfaces), so workflow code stays a pure function of its inputs.
 */
export interface UniformSource {
  /** Uniform on the open interval (0, 1). */
  uniform(): number;
}

export interface NormalSource extends UniformSource {
  /** Standard normal. */
  normal(): number;
}

/** Laplace(0, scale) by inversion; `uniform()` is open on (0, 1), so the log is always finite. */
export function sampleLaplace(rng: UniformSource, scale: number): number {
  const u = rng.uniform() - 0.5;
  return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
}

/** A direction uniform on the unit sphere S^{d-1} (normalized Gaussian vector). */
export function sampleUnitVector(rng: NormalSource, dim: number): Float64Array {
  const out = new Float64Array(dim);
  for (;;) {
    let norm2 = 0;
    for (let j = 0; j < dim; j++) {
      const z = rng.normal();
      out[j] = z;
      norm2 += z * z;
    }
    if (norm2 > 1e-300) {
      const inv = 1 / Math.sqrt(norm2);
      for (let j = 0; j < dim; j++) out[j] *= inv;
      return out;
    }
  }
}
