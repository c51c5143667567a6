/**
 * Counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
 *
 * Every draw is a pure function of (seed, stream, counter), so any worker can reproduce the
 * numbers for "seed s, sample i" without sharing state: this is what makes common random
 * numbers across configurations and workers possible, and what keeps workflow code deterministic.
 */

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** High and low 32 bits of the 64-bit product a*b of two uint32. */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const aH = a >>> 16, aL = a & 0xffff, bH = b >>> 16, bL = b & 0xffff;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const hi = (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return [hi, lo];
}

/** Philox4x32 with 10 rounds: four uint32 outputs for a 128-bit counter and a 64-bit key. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): Uint32Array {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const [hi0, lo0] = mulhilo(PHILOX_M0, x0);
    const [hi1, lo1] = mulhilo(PHILOX_M1, x2);
    const n0 = (hi1 ^ x1 ^ key0) >>> 0;
    const n2 = (hi0 ^ x3 ^ key1) >>> 0;
    x0 = n0; x1 = lo1; x2 = n2; x3 = lo0;
    key0 = (key0 + PHILOX_W0) >>> 0;
    key1 = (key1 + PHILOX_W1) >>> 0;
  }
  return Uint32Array.of(x0, x1, x2, x3);
}

const TWO_POW_32 = 4294967296;
const TWO_NEG_53 = 1 / 9007199254740992;

/** Map two uint32 to a double uniform on the open interval (0, 1), 53 bits of resolution. */
function toUnitOpen(hi: number, lo: number): number {
  const u = ((hi >>> 5) * 67108864 + (lo >>> 6)) * TWO_NEG_53; // [0, 1)
  return u + TWO_NEG_53 / 2; // (0, 1): safe for log()
}

/** Split a non-negative integer < 2^53 into two uint32 words. */
function words(n: number): [number, number] {
  if (!Number.isInteger(n) || n < 0 || n > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`counter-based RNG: expected a non-negative safe integer, got ${n}`);
  }
  return [n % TWO_POW_32 >>> 0, Math.floor(n / TWO_POW_32) >>> 0];
}

/**
 * A cheap stateful view over the counter space of one (seed, stream): draw i of the view is
 * always the same number, whichever process draws it.
 */
export class CounterRng {
  private readonly k0: number;
  private readonly k1: number;
  private readonly s0: number;
  private readonly s1: number;
  private block = 0;
  private buffer: Uint32Array = new Uint32Array(4);
  private used = 4;
  private spareNormal: number | null = null;

  constructor(seed: number, stream = 0) {
    [this.k0, this.k1] = words(seed);
    [this.s0, this.s1] = words(stream);
  }

  private nextWord(): number {
    if (this.used === 4) {
      const [b0, b1] = words(this.block++);
      this.buffer = philox4x32(b0, b1, this.s0, this.s1, this.k0, this.k1);
      this.used = 0;
    }
    return this.buffer[this.used++];
  }

  /** Uniform on (0, 1). */
  uniform(): number {
    const hi = this.nextWord();
    const lo = this.nextWord();
    return toUnitOpen(hi, lo);
  }

  /** Standard normal (Box-Muller, both outputs used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Integer uniform on [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`CounterRng.int: n must be a positive integer, got ${n}`);
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  fillNormal(out: Float64Array | Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
  }
}

/**
 * Initial noise x_T for sample `index` of a study seeded `seed`: a pure function of the pair,
 * identical on every worker and for every solver configuration (common random numbers).
 */
export function initialNoise(seed: number, index: number, dim: number): Float64Array {
  const out = new Float64Array(dim);
  new CounterRng(seed, index).fillNormal(out);
  return out;
}
