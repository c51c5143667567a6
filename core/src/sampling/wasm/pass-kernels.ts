import { MAX_FUSED_TERMS, type PassKind } from './kernels-wat';
import { PASS_KERNELS_WASM_BASE64 } from './kernels.generated';
import { webAssembly, type WasmMemory } from '../../wasm-api';

/**
 * Pass kernels over float32 buffers in WebAssembly (128-bit SIMD, float64 arithmetic: see
 * kernels-wat.ts), in one module instance's memory. The USF sampler's float32 mode runs every
 * pass through these: at gmm-cifar batch 64 a multistep pass takes ~0.1 ms here (best of 30,
 * free model) against ~0.5 ms for the float64 JavaScript loop, whose scalar code and 40 bytes
 * of traffic per value cannot keep up with a cheap model. Float32 arithmetic took ~0.05 ms but
 * lost up to 67 times the result's rounding on the large cancelling coefficients of early steps.
 */

type PassFn = (
  n: number, out: number, x: number, xs: number, e: number, rec: number, f0: number, f1: number, f2: number,
  a: number, b: number, c: number, pc: number, qc: number, w0: number, w1: number, w2: number,
) => void;
/** A pair kernel: PassFn's arguments with the second pass's output and coefficients after each group. */
type PairFn = (
  n: number, out: number, x: number, xs: number, e: number, rec: number, f0: number, f1: number, f2: number,
  out2: number,
  a: number, b: number, c: number, pc: number, qc: number, w0: number, w1: number, w2: number,
  a2: number, v0: number, v1: number, v2: number,
) => void;

const wasm = webAssembly()!;

interface KernelExports {
  memory: WasmMemory;
  copy(n: number, out: number, x: number): void;
  scale(n: number, out: number, x: number, a: number): void;
  axpy(n: number, out: number, x: number, a: number): void;
  [name: string]: unknown;
}

let compiled: object | null = null;

function kernelModule(): object {
  if (compiled === null) {
    const bin = atob(PASS_KERNELS_WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    compiled = new wasm.Module(bytes);
  }
  return compiled;
}

/** Largest arena: pointers are i32 byte offsets, and the memory stays well under 4 GiB. */
const MAX_ARENA_BYTES = 2 ** 31;
const PAGE = 65536;
/** Buffers start on 64-byte boundaries (cache lines) and hold a multiple of 16 floats. */
const ALIGN_FLOATS = 16;

/** A stored term of a pass: buffer index and weight. */
export interface ArenaTerm {
  buf: number;
  weight: number;
}

/** One pass, in buffer indices of an arena (the float32 twin of fused-pass.ts's FusedPass). */
export interface ArenaPass {
  out: number;
  x: number;
  a: number;
  /** The fresh evaluation's buffer, or -1 when the pass ingests none. */
  eps: number;
  xs: number;
  b: number;
  c: number;
  ia: number;
  so: number;
  storeEps: number;
  storeX0: number;
  terms: ArenaTerm[];
}

/**
 * `count` float32 buffers of `n` values each in a private WebAssembly memory. Views stay valid
 * for the arena's life (the memory is sized once, never grown afterwards).
 */
export class KernelArena {
  readonly n: number;
  readonly count: number;
  readonly views: Float32Array[];
  private readonly ex: KernelExports;
  private readonly padded: number;
  private readonly stride: number;

  /** Whose data the buffers hold (solver-passes.ts: the plan whose coefficients are loaded); cleared by acquireArena for anyone else. */
  tag: unknown = null;

  /** Float32 values from one buffer's start to the next's. */
  static strideOf(n: number): number {
    return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
  }

  static fits(n: number, count: number): boolean {
    return Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS * 4 * count <= MAX_ARENA_BYTES;
  }

  constructor(n: number, count: number) {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(count) || count < 1) throw new RangeError(`KernelArena: n and count must be positive integers, got ${n} and ${count}`);
    if (!KernelArena.fits(n, count)) throw new RangeError(`KernelArena: ${count} buffers of ${n} float32 values exceed ${MAX_ARENA_BYTES} bytes`);
    this.n = n;
    this.count = count;
    this.padded = Math.ceil(n / 4) * 4;
    this.stride = Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;
    this.ex = new wasm.Instance(kernelModule()).exports as KernelExports;
    const bytes = this.stride * 4 * count;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.views = Array.from({ length: count }, (_, i) => new Float32Array(this.ex.memory.buffer, this.ptr(i), n));
  }

  ptr(buf: number): number {
    return buf * this.stride * 4;
  }

  /** The module instance's exports (solver-passes.ts calls the solver kernels directly). */
  get kernels(): KernelExports {
    return this.ex;
  }

  /** `length` float64 values from the start of buffer `buf` on (buffers are contiguous, so a view may span several). */
  float64(buf: number, length: number): Float64Array {
    return new Float64Array(this.ex.memory.buffer, this.ptr(buf), length);
  }

  copy(out: number, from: number): void {
    this.ex.copy(this.padded, this.ptr(out), this.ptr(from));
  }

  scale(out: number, from: number, a: number): void {
    this.ex.scale(this.padded, this.ptr(out), this.ptr(from), a);
  }

  /**
   * Pass `first` and then `second` as one loop (a pair kernel, kernels-wat.ts), when the shapes
   * allow it: `first` ingests an evaluation and keeps it in one form, with at most
   * MAX_FUSED_TERMS stored terms; `second` ingests none, starts from `first`'s output (without
   * overwriting it) and reads `first`'s record and then `first`'s terms in order (UniPC's
   * predictor after its corrector). The same values as the two passes one after the other, but
   * for `second` reading `first`'s output and record before their float32 rounding; null when
   * the shapes do not allow it (compile each then).
   */
  compilePair(first: ArenaPass, second: ArenaPass): (() => void) | null {
    const record = first.storeX0 >= 0 ? first.storeX0 : first.storeEps;
    const g = second.terms;
    const fits = first.eps >= 0 && record >= 0 && !(first.storeX0 >= 0 && first.storeEps >= 0) && first.terms.length <= MAX_FUSED_TERMS
      && second.eps < 0 && second.x === first.out && second.out !== first.out
      && g.length >= 1 && g.length <= Math.min(MAX_FUSED_TERMS, first.terms.length + 1)
      && g[0].buf === record && g.every((t, m) => m === 0 || t.buf === first.terms[m - 1].buf);
    if (!fits) return null;
    const { ex } = this;
    const n = this.padded;
    const P = (buf: number) => this.ptr(buf);
    const ptrs = (t: ArenaTerm[]) => [0, 1, 2].map((m) => (m < t.length ? P(t[m].buf) : 0));
    const weights = (t: ArenaTerm[]) => [0, 1, 2].map((m) => (m < t.length ? t[m].weight : 0));
    const [f0, f1, f2] = ptrs(first.terms), [w0, w1, w2] = weights(first.terms);
    const [v0, v1, v2] = weights(second.terms);
    const kind = first.xs === first.x && first.c === 0 ? 'at' : 'else';
    const fn = ex[`${kind}${first.terms.length}r${second.terms.length}`] as PairFn;
    const out = P(first.out), x = P(first.x), e = P(first.eps), xs = P(first.xs), out2 = P(second.out);
    const { rec, pc, qc } = this.record(first, out);
    const { a, b, c } = first, a2 = second.a;
    return () => fn(n, out, x, xs, e, rec, f0, f1, f2, out2, a, b, c, pc, qc, w0, w1, w2, a2, v0, v1, v2);
  }

  /** The record a pass keeps, rec = pc xs + qc eps: x0 = ia xs - so eps, or eps itself; none is written as rec = out. */
  private record(p: ArenaPass, out: number): { rec: number; pc: number; qc: number } {
    if (p.storeX0 >= 0) return { rec: this.ptr(p.storeX0), pc: p.ia, qc: -p.so };
    if (p.storeEps >= 0) return { rec: this.ptr(p.storeEps), pc: 0, qc: 1 };
    return { rec: out, pc: 0, qc: 0 };
  }

  /**
   * A pass as a closure with every pointer resolved, so running it costs one call into wasm
   * (plus one per stored term beyond MAX_FUSED_TERMS, and a copy when an evaluation is kept in
   * both forms). Same semantics as runFusedPass, in float32.
   */
  compile(p: ArenaPass): () => void {
    const { ex } = this;
    const n = this.padded;
    const P = (buf: number) => this.ptr(buf);
    const fused = p.terms.slice(0, MAX_FUSED_TERMS);
    const extra = p.terms.slice(MAX_FUSED_TERMS).map((t) => [P(t.buf), t.weight] as const);
    const f = [0, 1, 2].map((m) => (m < fused.length ? P(fused[m].buf) : 0));
    const w = [0, 1, 2].map((m) => (m < fused.length ? fused[m].weight : 0));
    const out = P(p.out), x = P(p.x);
    const tail = () => {
      for (const [ptr, weight] of extra) ex.axpy(n, out, ptr, weight);
    };

    if (p.eps < 0) {
      if (fused.length === 0) {
        return () => ex.scale(n, out, x, p.a);
      }
      const fn = ex[`plain${fused.length}`] as PassFn;
      return () => {
        fn(n, out, x, 0, 0, out, f[0], f[1], f[2], p.a, 0, 0, 0, 0, w[0], w[1], w[2]);
        tail();
      };
    }
    // 'at' assumes c was folded into a (the evaluation was taken at x itself).
    const kind: PassKind = p.xs === p.x && p.c === 0 ? 'at' : 'else';
    const fn = ex[`${kind}${fused.length}`] as PassFn;
    const e = P(p.eps), xs = P(p.xs);
    const { rec, pc, qc } = this.record(p, out);
    const both = p.storeX0 >= 0 && p.storeEps >= 0 ? P(p.storeEps) : -1;
    return () => {
      if (both >= 0) ex.copy(n, both, e);
      fn(n, out, x, xs, e, rec, f[0], f[1], f[2], p.a, p.b, p.c, pc, qc, w[0], w[1], w[2]);
      tail();
    };
  }
}

/**
 * Arenas kept for reuse across runs and plans. Plans come and go (a sweep makes one per
 * configuration), so arenas are pooled by shape rather than per plan: what stays allocated is
 * bounded by POOL_LIMIT arenas, and by how many samplings run at once.
 */
const POOL_LIMIT = 4;
const pool: KernelArena[] = [];

/**
 * An arena of at least `count` buffers of `n` values, from the pool when one fits: one tagged
 * `tag` first (its buffers still hold that user's data), else an untagged one, else any, whose
 * tag is then cleared (so that interleaved samplers do not keep evicting each other's data).
 */
export function acquireArena(n: number, count: number, tag: unknown = null): KernelArena {
  const fits = (a: KernelArena) => a.n === n && a.count >= count;
  // The smallest arena that fits: a sampler that needs few buffers must not take the larger one
  // another sampler (DC, v3) will ask for next, which would then allocate or evict.
  const smallest = (ok: (a: KernelArena) => boolean) => {
    let best = -1;
    pool.forEach((a, k) => { if (ok(a) && (best < 0 || a.count < pool[best].count)) best = k; });
    return best;
  };
  let i = tag === null ? -1 : pool.findIndex((a) => fits(a) && a.tag === tag);
  if (i < 0) i = smallest((a) => fits(a) && a.tag === null);
  if (i < 0) i = smallest(fits);
  const arena = i >= 0 ? pool.splice(i, 1)[0] : new KernelArena(n, count);
  if (arena.tag !== tag) arena.tag = null;
  return arena;
}

export function releaseArena(arena: KernelArena): void {
  if (pool.length >= POOL_LIMIT) pool.shift(); // the oldest goes: shapes in use come back soon
  pool.push(arena);
}
