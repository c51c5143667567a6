import { CounterRng } from '../rng';

/**
 * Sobol' low-discrepancy points with Joe & Kuo (2008) direction numbers (new-joe-kuo-6.21201,
 * dimensions 1..32), 32-bit, addressed by index through the Gray code so any worker can compute
 * point i alone. Optional randomisation: Matoušek's random linear scramble plus a digital shift,
 * both of which keep the (t, m, s)-net structure. Coordinates beyond SOBOL_MAX_DIM fall back to
 * counter-based uniforms (deterministic in seed and index).
 */

/** Rows `s a m_1 .. m_s` for dimensions 2..32 (dimension 1 is van der Corput). */
const JOE_KUO_6_21201 = [
  '1 0 1', '2 1 1 3', '3 1 1 3 1', '3 2 1 1 1', '4 1 1 1 3 3', '4 4 1 3 5 13', '5 2 1 1 5 5 17', '5 4 1 1 5 5 5',
  '5 7 1 1 7 11 19', '5 11 1 1 5 1 1', '5 13 1 1 1 3 11', '5 14 1 3 5 5 31', '6 1 1 3 3 9 7 49', '6 13 1 1 1 15 21 21',
  '6 16 1 3 1 13 27 49', '6 19 1 1 1 15 7 5', '6 22 1 3 1 15 13 25', '6 25 1 1 5 5 19 61', '7 1 1 3 7 11 23 15 103',
  '7 4 1 3 7 13 13 15 69', '7 7 1 1 3 13 7 35 63', '7 8 1 3 5 9 1 25 53', '7 14 1 3 1 13 9 35 107', '7 19 1 3 1 5 27 61 31',
  '7 21 1 1 5 11 19 41 61', '7 28 1 3 5 3 3 13 69', '7 31 1 1 7 13 1 19 1', '7 32 1 3 7 5 13 19 59', '7 37 1 1 3 9 25 29 41',
  '7 41 1 3 5 13 23 1 55', '7 42 1 3 7 3 13 59 17',
];

export const SOBOL_MAX_DIM = JOE_KUO_6_21201.length + 1;
const BITS = 32;
const TWO_NEG_32 = 1 / 4294967296;

/** Direction numbers v_1..v_32 (as uint32, leading bit first) for Sobol dimension j (0-based). */
function directionNumbers(j: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (j === 0) {
    for (let i = 0; i < BITS; i++) v[i] = (1 << (31 - i)) >>> 0;
    return v;
  }
  const [s, a, ...m] = JOE_KUO_6_21201[j - 1].split(' ').map(Number);
  for (let i = 0; i < Math.min(s, BITS); i++) v[i] = (m[i] << (31 - i)) >>> 0;
  for (let i = s; i < BITS; i++) {
    let x = (v[i - s] ^ (v[i - s] >>> s)) >>> 0;
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) x = (x ^ v[i - k]) >>> 0;
    v[i] = x;
  }
  return v;
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Matoušek's linear matrix scramble: bit r of the result mixes bits 0..r of v (leading first). */
function scrambleDirections(v: Uint32Array, rng: CounterRng): Uint32Array {
  const rows = new Uint32Array(BITS);
  for (let r = 0; r < BITS; r++) {
    let mask = (1 << (31 - r)) >>> 0; // unit diagonal
    for (let s = 0; s < r; s++) if (rng.uniform() < 0.5) mask = (mask | (1 << (31 - s))) >>> 0;
    rows[r] = mask;
  }
  return v.map((x) => {
    let out = 0;
    for (let r = 0; r < BITS; r++) if (parity((rows[r] & x) >>> 0)) out |= 1 << (31 - r);
    return out >>> 0;
  });
}

export interface SobolOptions {
  /** Randomise (linear scramble + digital shift). Default true. */
  scramble?: boolean;
  seed?: number;
}

export class SobolSequence {
  private readonly v: Uint32Array[];
  private readonly shift: Uint32Array;
  private readonly seed: number;

  constructor(readonly dim: number, options: SobolOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Sobol: dimension must be a positive integer, got ${dim}`);
    const scramble = options.scramble ?? true;
    this.seed = options.seed ?? 0;
    const rng = new CounterRng(this.seed, 0x50b0);
    const sobolDims = Math.min(dim, SOBOL_MAX_DIM);
    this.v = [];
    this.shift = new Uint32Array(sobolDims);
    for (let j = 0; j < sobolDims; j++) {
      const base = directionNumbers(j);
      this.v.push(scramble ? scrambleDirections(base, rng) : base);
      if (scramble) this.shift[j] = Math.floor(rng.uniform() * 4294967296) >>> 0;
    }
  }

  /** Point `index` (0-based) into out[offset .. offset+dim). */
  point(index: number, out: Float64Array = new Float64Array(this.dim), offset = 0): Float64Array {
    if (!Number.isInteger(index) || index < 0 || index >= 2147483648) throw new RangeError(`Sobol: index out of range: ${index}`);
    const gray = index ^ Math.floor(index / 2);
    const sobolDims = this.v.length;
    for (let j = 0; j < sobolDims; j++) {
      const vj = this.v[j];
      let x = this.shift[j];
      let g = gray;
      for (let b = 0; g > 0; b++, g = Math.floor(g / 2)) if (g & 1) x = (x ^ vj[b]) >>> 0;
      out[offset + j] = (x + 0.5) * TWO_NEG_32;
    }
    if (this.dim > sobolDims) {
      const rng = new CounterRng(this.seed, 0x7000_0000 + index);
      for (let j = sobolDims; j < this.dim; j++) out[offset + j] = rng.uniform();
    }
    return out;
  }

  /** count points starting at index start, row-major (count x dim). */
  points(start: number, count: number): Float64Array {
    const out = new Float64Array(count * this.dim);
    for (let i = 0; i < count; i++) this.point(start + i, out, i * this.dim);
    return out;
  }
}

/** Scrambled Sobol design of `count` points in [0,1]^dim. */
export function sobolDesign(dim: number, count: number, seed: number, start = 0): Float64Array {
  return new SobolSequence(dim, { seed }).points(start, count);
}

/** Independent uniform design of `count` points in [0,1]^dim. */
export function randomDesign(dim: number, count: number, rng: CounterRng): Float64Array {
  const out = new Float64Array(count * dim);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform();
  return out;
}
