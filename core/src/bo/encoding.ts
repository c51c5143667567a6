import { activeParams, hasConditions, isParamActive, type TParam, type TParamValue, type TParams, type TSpace } from '../config/space';
import { LevelTree } from '../search/grid-search';

/**
 * Map a search space to the unit cube the surrogate works in, one coordinate per parameter:
 *  - float: affine (or affine in log when log: true);
 *  - int: padded by half a step on each side, so each integer owns an interval of equal width
 *    (in log space when log: true); integers encode to their own position, decode by rounding;
 *  - categorical: the choice index i of k stored as (i + 1/2) / k; the kernel compares these
 *    coordinates only for equality (Hamming distance), never by their distance.
 * decodePoint always returns valid parameters whatever the input vector.
 *
 * Conditional parameters (`when`): a coordinate whose parameter is inactive at a point holds
 * INACTIVE_VALUE there (snapPoint puts it there, encodeParams writes it, decodePoint leaves the
 * parameter out). All points of a branch where it is inactive then agree on that coordinate, so
 * it adds nothing to their distance, and a point differs from the other branch's points through
 * the parent categorical anyway. The value is the middle of the cube; the kernels are stationary
 * (Matérn, the stationary I-BNN), so no value would be favoured by them.
 */

/** Encoded value of an inactive parameter's coordinate. */
export const INACTIVE_VALUE = 0.5;

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
  /** Whether some parameter has a condition (then activeMask and INACTIVE_VALUE matter). */
  readonly conditional: boolean;
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
    conditional: hasConditions(space),
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
  const active = enc.conditional ? activeParams(enc.space, params) : params;
  enc.space.forEach((p, k) => {
    if (enc.conditional && !isParamActive(enc.space, p, active)) {
      out[k] = INACTIVE_VALUE;
      return;
    }
    if (!(p.name in params)) throw new RangeError(`parameter "${p.name}" is missing`);
    out[k] = encodeValue(p, params[p.name]);
  });
  return out;
}

/** Parameters of a vector; an inactive parameter (its parent has another choice) is left out. */
export function decodePoint(enc: SpaceEncoding, u: ArrayLike<number>, offset = 0): TParams {
  const out: TParams = {};
  enc.space.forEach((p, k) => {
    if (enc.conditional && !isParamActive(enc.space, p, out)) return;
    out[p.name] = decodeValue(p, u[offset + k]);
  });
  return out;
}

/** active[k] = 1 when coordinate k's parameter is active at the point u decodes to. */
export function activeMask(enc: SpaceEncoding, u: ArrayLike<number>, offset = 0): Uint8Array {
  const mask = new Uint8Array(enc.dim).fill(1);
  if (!enc.conditional) return mask;
  const params = decodePoint(enc, u, offset);
  enc.space.forEach((p, k) => {
    if (!(p.name in params)) mask[k] = 0;
  });
  return mask;
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
  if (enc.conditional) {
    const mask = activeMask(enc, u, offset);
    for (let k = 0; k < enc.dim; k++) if (!mask[k]) u[offset + k] = INACTIVE_VALUE;
  }
}

/** Canonical identity of a parameter record: equal keys mean the same point (floats to 12 digits). */
export function paramsKey(enc: SpaceEncoding, params: TParams): string {
  const active = enc.conditional ? activeParams(enc.space, params) : params;
  return enc.space
    .map((p) => {
      if (!(p.name in active)) return '-';
      const v = active[p.name];
      if (p.type === 'float' && typeof v === 'number') return v.toPrecision(12);
      return JSON.stringify(v);
    })
    .join('|');
}

/** Number of distinct points of an all-discrete space (Infinity when any float is present). */
export function discreteSize(enc: SpaceEncoding): number {
  if (enc.conditional) {
    if (enc.space.some((p) => p.type === 'float')) return Infinity;
    // Level lists are linear in the int ranges: beyond 1e6 values the space counts as infinite.
    if (enc.space.some((p) => p.type === 'int' && p.high - p.low + 1 > 1e6)) return Infinity;
    const levels = enc.space.map((p) => (p.type === 'categorical' ? [...p.choices] : p.type === 'int' ? Array.from({ length: p.high - p.low + 1 }, (_, i) => p.low + i) : []));
    const size = new LevelTree(enc.space, levels).size;
    return size > 1e12 ? Infinity : size;
  }
  let size = 1;
  for (const p of enc.space) {
    if (p.type === 'float') return Infinity;
    size *= p.type === 'int' ? p.high - p.low + 1 : p.choices.length;
    if (size > 1e12) return Infinity;
  }
  return size;
}
