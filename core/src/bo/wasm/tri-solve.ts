import { BO_LINALG_WASM_BASE64 } from './linalg.generated';
import { webAssembly, type WasmMemory } from '../../wasm-api';

/**
 * The GP's triangular solves in WebAssembly (linalg-wat.ts): the acquisition search solves
 * against one Cholesky factor hundreds of times per proposal (the Sobol sweep four candidates at
 * a time, each gradient step two vector solves), and at 200 observations those solves were about
 * a third of a warm proposal. The factor is copied into the module's memory once (bind) and
 * stays there while the same factor is used; vectors are copied in and out per call (O(n)
 * against the O(n^2) solve). Results are bit-identical to the JavaScript loops, which remain the
 * fallback where WebAssembly SIMD is unavailable.
 */

interface Exports {
  memory: WasmMemory;
  trsm4(n: number, l: number, v: number, sums: number): void;
  lower(n: number, l: number, b: number): void;
  upper(n: number, l: number, b: number): void;
  cholesky(n: number, a: number): number;
  inverse(n: number, l: number, p: number, out: number): void;
}

const PAGE = 65536;
/** Factors above this many bytes stay in JavaScript (n of about 5,000). */
const MAX_BYTES = 256 * 2 ** 20;

export class WasmTriangular {
  private f64!: Float64Array;
  private bound: Float64Array | null = null;
  private n = 0;
  // Byte offsets: L at 0, then V (4n), b (n), sums (4).
  private vOff = 0;
  private bOff = 0;
  private sOff = 0;

  private constructor(private readonly ex: Exports) {
    this.refreshView();
  }

  static create(): WasmTriangular | null {
    try {
      const wasm = webAssembly();
      if (!wasm) return null;
      const bin = atob(BO_LINALG_WASM_BASE64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const instance = new wasm.Instance(new wasm.Module(bytes));
      return new WasmTriangular(instance.exports as Exports);
    } catch {
      return null; // no SIMD support: the JavaScript loops do the work
    }
  }

  private refreshView(): void {
    if (!this.f64 || this.f64.buffer !== this.ex.memory.buffer) this.f64 = new Float64Array(this.ex.memory.buffer);
  }

  /**
   * Make `l` (n x n, lower triangular, never modified afterwards) the factor of the next calls;
   * false when it is too large, and the caller solves in JavaScript.
   */
  bind(l: Float64Array, n: number): boolean {
    if (this.bound === l && this.n === n) return true;
    const bytes = (n * n + 5 * n + 4) * 8;
    if (bytes > MAX_BYTES) return false;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.refreshView();
    this.f64.set(l.subarray(0, n * n), 0);
    this.bound = l;
    this.n = n;
    this.vOff = n * n * 8;
    this.bOff = this.vOff + 4 * n * 8;
    this.sOff = this.bOff + n * 8;
    return true;
  }

  /** V (n x 4, V[i*4 + b]) := L^{-1} V; sums[b] = squared norm of column b. */
  trsm4(V: Float64Array, sums: Float64Array): void {
    const n = this.n, f = this.f64;
    f.set(V.subarray(0, 4 * n), this.vOff / 8);
    this.ex.trsm4(n, 0, this.vOff, this.sOff);
    V.set(f.subarray(this.vOff / 8, this.vOff / 8 + 4 * n));
    const s = this.sOff / 8;
    sums[0] = f[s]; sums[1] = f[s + 1]; sums[2] = f[s + 2]; sums[3] = f[s + 3];
  }

  /** b := L^{-1} b. */
  lower(b: Float64Array): void {
    const n = this.n, f = this.f64, o = this.bOff / 8;
    f.set(b.subarray(0, n), o);
    this.ex.lower(n, 0, this.bOff);
    b.set(f.subarray(o, o + n));
  }

  /**
   * choleskyInPlace of linalg.ts (bit-identical): the lower triangle of a becomes L, the upper
   * is zeroed; false at a pivot that is not positive (a partly overwritten). null when a is
   * too large for the module (the caller factorizes in JavaScript). Unbinds the factor.
   */
  cholesky(a: Float64Array, n: number): boolean | null {
    const bytes = n * n * 8;
    if (bytes > MAX_BYTES) return null;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.refreshView();
    this.bound = null;
    const f = this.f64;
    f.set(a.subarray(0, n * n), 0);
    const ok = this.ex.cholesky(n, 0) === 1;
    a.set(f.subarray(0, n * n));
    if (ok) for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
    return ok;
  }

  /**
   * cholInverse of linalg.ts (bit-identical): out := (L L^T)^{-1}, full. false when the
   * matrices are too large for the module (the caller inverts in JavaScript). Unbinds the factor.
   */
  inverse(l: Float64Array, n: number, out: Float64Array): boolean {
    const pOff = n * n * 8, outOff = pOff + Math.ceil(n / 2) * n * 16;
    const bytes = outOff + n * n * 8;
    if (bytes > MAX_BYTES) return false;
    const have = this.ex.memory.buffer.byteLength;
    if (bytes > have) this.ex.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.refreshView();
    this.bound = null;
    const f = this.f64;
    f.set(l.subarray(0, n * n), 0);
    this.ex.inverse(n, 0, pOff, outOff);
    out.set(f.subarray(outOff / 8, outOff / 8 + n * n));
    return true;
  }

  /** b := L^{-T} b. */
  upper(b: Float64Array): void {
    const n = this.n, f = this.f64, o = this.bOff / 8;
    f.set(b.subarray(0, n), o);
    this.ex.upper(n, 0, this.bOff);
    b.set(f.subarray(o, o + n));
  }
}

let shared: WasmTriangular | null | undefined;
let factorizer: WasmTriangular | null | undefined;
let enabled = true;

/**
 * Switch the kernels off (false: the JavaScript loops run) or back on. Results are identical
 * either way; the bench times both in one run so the speed-up it reports is not machine noise.
 */
export function setWasmLinalg(on: boolean): void {
  enabled = on;
}

/** The instance that holds the acquisition's bound factor (null without WebAssembly SIMD). */
export function wasmTriangular(): WasmTriangular | null {
  if (!enabled) return null;
  if (shared === undefined) shared = WasmTriangular.create();
  return shared;
}

/** A second instance (its own memory) for the fit's factorizations, so they never unbind the first's. */
export function wasmFactorizer(): WasmTriangular | null {
  if (!enabled) return null;
  if (factorizer === undefined) factorizer = WasmTriangular.create();
  return factorizer;
}
