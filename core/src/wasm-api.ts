/**
 * The part of the WebAssembly API core's kernels use (core's lib settings carry no DOM typings),
 * shared by the sampler passes (sampling/wasm) and the GP's linear algebra (bo/wasm).
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

/** The runtime's WebAssembly object, or undefined where there is none. */
export const webAssembly = (): WasmApi | undefined => (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
