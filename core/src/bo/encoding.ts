import type { TParam, TParamValue, TParams, TSpace } from '../config/space';

/**
 * Map a search space to the unit cube the surrogate works in, one coordinate per parameter:
 *  - float: affine (or affine in log when log: true);
 *  - int: padded by half a step on each side, so each integer owns an interval of equal width
 *    (in log space when log: true); integers encode to their own position, decode by rounding;
 *  - categorical: the choice index i of k stored as (i + 1/2) / k; the kernel compares these
 *    coordinates only for equality (Hamming distance), never by their distance.
 * decodePoint always returns valid parameters whatever the input vector.
 */

export type CoordinateKind = 'float' | 'int' | 'categorical';

export interface SpaceEncoding {
  readonly space: TSpace;
  readonly dim: number;
  readonly kinds: CoordinateKind[];
  /** Number of choices per coordinate (categorical), 0 otherwise. */
  readonly cardinality: Int32Array;
  readonly categoricalDims: number[];
  /** Coordinates optimised continuously (floats and the relaxation of ints). */
  readonly continuousDims: number[];
  readonly intDims: number[];
}

export function createEncoding(space: TSpace): SpaceEncoding {
  const kinds = space.map((p) => p.type as CoordinateKind);
  const cardinality = Int32Array.from(space, (p) => (p.type === 'categorical' ? p.choices.length : 0));
  return {
    space,
    dim: space.length,
    kinds,
    cardinality,
    categoricalDims: kinds.flatMap((k, i) => (k === 'categorical' ? [i] : [])),
    continuousDims: kinds.flatMap((k, i) => (k !== 'categorical' ? [i] : [])),
    intDims: kinds.flatMap((k, i) => (k === 'int' ? [i] : [])),
  };
}

/** [lo, hi] of the (possibly log) scale on which a numeric parameter is linear in u. */
function numericRange(p: Extract<TParam, { type: 'float' | 'int' }>): [number, number] {
  const pad = p.type === 'int' ? 0.5 : 0;
  const low = p.low - pad, high = p.high + pad;
  return p.log ? [Math.log(low), Math.log(high)] : [low, high];
}

function clamp01(u: number): number {
  return u < 0 ? 0 : u > 1 ? 1 : u;
}

export function encodeValue(p: TParam, value: TParamValue): number {
  if (p.type === 'categorical') {
    const idx = p.choices.findIndex((c) => c === value);
    if (idx < 0) throw new RangeError(`parameter "${p.name}": ${JSON.stringify(value)} is not one of its choices`);
    return (idx + 0.5) / p.choices.length;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`parameter "${p.name}": expected a finite number, got ${JSON.stringify(value)}`);
  }
  const [lo, hi] = numericRange(p);
  const v = p.log ? Math.log(Math.max(value, Number.MIN_VALUE)) : value;
  return clamp01((v - lo) / (hi - lo));
}

export function decodeValue(p: TParam, u: number): TParamValue {
  const t = Number.isFinite(u) ? clamp01(u) : 0.5;
  if (p.type === 'categorical') {
    const k = p.choices.length;
    return p.choices[Math.min(k - 1, Math.floor(t * k))];
  }
  const [lo, hi] = numericRange(p);
  const s = lo + t * (hi - lo);
  const v = p.log ? Math.exp(s) : s;
  if (p.type === 'int') return Math.min(p.high, Math.max(p.low, Math.round(v)));
  return Math.min(p.high, Math.max(p.low, v));
}

/** Encode a parameter record; throws RangeError naming the parameter when one is missing or invalid. */
export function encodeParams(enc: SpaceEncoding, params: TParams, out = new Float64Array(enc.dim)): Float64Array {
  enc.space.forEach((p, k) => {
    if (!(p.name in params)) throw new RangeError(`parameter "${p.name}" is missing`);
    out[k] = encodeValue(p, params[p.name]);
  });
  return out;
}

export function decodePoint(enc: SpaceEncoding, u: ArrayLike<number>, offset = 0): TParams {
  const out: TParams = {};
  enc.space.forEach((p, k) => {
    out[p.name] = decodeValue(p, u[offset + k]);
  });
  return out;
}

/**
 * Move a vector onto the representative of the parameters it decodes to: ints to their encoded
 * integer position, categoricals to their choice centre, everything clamped to [0,1]. Two vectors
 * with the same snapped form decode to the same parameters.
 */
export function snapPoint(enc: SpaceEncoding, u: Float64Array, offset = 0): void {
  for (let k = 0; k < enc.dim; k++) {
    const p = enc.space[k];
    const v = u[offset + k];
    if (p.type === 'float') u[offset + k] = Number.isFinite(v) ? clamp01(v) : 0.5;
    else u[offset + k] = encodeValue(p, decodeValue(p, v));
  }
}

/** Canonical identity of a parameter record: equal keys mean the same point (floats to 12 digits). */
export function paramsKey(enc: SpaceEncoding, params: TParams): string {
  return enc.space
    .map((p) => {
      const v = params[p.name];
      if (p.type === 'float' && typeof v === 'number') return v.toPrecision(12);
      return JSON.stringify(v);
    })
    .join('|');
}

/** Number of distinct points of an all-discrete space (Infinity when any float is present). */
export function discreteSize(enc: SpaceEncoding): number {
  let size = 1;
  for (const p of enc.space) {
    if (p.type === 'float') return Infinity;
    size *= p.type === 'int' ? p.high - p.low + 1 : p.choices.length;
    if (size > 1e12) return Infinity;
  }
  return size;
}
