/**
 * WebAssembly text of the float32 pass kernels (see pass-kernels.ts for how they are used).
 * Generated rather than written out: the variants differ only in which terms they read.
 *
 * Every pass kernel has the same signature, so the sampler can dispatch through one table:
 *
 *   (n, out, x, xs, e, rec, f0, f1, f2 : i32, a, b, c, pc, qc, w0, w1, w2 : f32)
 *
 * n counts float32 values and must be a multiple of 4 (buffers are padded); the others are byte
 * offsets into the module's memory. Per element, reading every input before writing any output
 * (so out may equal x or xs, and rec may equal out):
 *
 *   at<k>:    rec = pc x  + qc e;   out = a x + b e        + sum_{m<k} w_m f_m
 *   else<k>:  rec = pc xs + qc e;   out = a x + b e + c xs + sum_{m<k} w_m f_m
 *   plain<k>:                       out = a x              + sum_{m<k} w_m f_m
 *
 * rec is stored before out, so "no record" is written rec = out. Four lanes per iteration with
 * 128-bit SIMD; the passes are memory-bound, so wider unrolling buys nothing measurable.
 * Helpers for the rare shapes: copy (memory.copy), scale (out = a x), axpy (out += a x).
 */

export const PASS_KINDS = ['at', 'else', 'plain'] as const;
export type PassKind = (typeof PASS_KINDS)[number];
/** Stored terms a specialised kernel reads; more go through the helpers. */
export const MAX_FUSED_TERMS = 3;

const PTRS = ['n', 'out', 'x', 'xs', 'e', 'rec', 'f0', 'f1', 'f2'];
const SCALARS = ['a', 'b', 'c', 'pc', 'qc', 'w0', 'w1', 'w2'];

const load = (ptr: string) => `(v128.load (i32.add (local.get $${ptr}) (local.get $i)))`;
const splat = (s: string) => `(local.get $v${s})`;
const mul = (s: string, v: string) => `(f32x4.mul ${splat(s)} ${v})`;
const sum = (terms: string[]) => terms.reduce((acc, t) => `(f32x4.add ${acc} ${t})`);

function passKernel(kind: PassKind, k: number): string {
  const used = new Set(['a', ...Array.from({ length: k }, (_, m) => `w${m}`)]);
  if (kind !== 'plain') ['b', 'pc', 'qc'].forEach((s) => used.add(s));
  if (kind === 'else') used.add('c');
  const outTerms = [mul('a', '(local.get $xv)')];
  if (kind !== 'plain') outTerms.push(mul('b', '(local.get $ev)'));
  if (kind === 'else') outTerms.push(mul('c', '(local.get $sv)'));
  for (let m = 0; m < k; m++) outTerms.push(mul(`w${m}`, load(`f${m}`)));
  const body: string[] = [`(local.set $xv ${load('x')})`];
  if (kind !== 'plain') body.push(`(local.set $ev ${load('e')})`);
  if (kind === 'else') body.push(`(local.set $sv ${load('xs')})`);
  if (kind !== 'plain') {
    const base = kind === 'else' ? '(local.get $sv)' : '(local.get $xv)';
    // Every load (x, e, xs and the terms) happens before either store, so rec and out may
    // alias any input, and rec may alias out.
    body.push(`(local.set $ov ${sum(outTerms)})`);
    body.push(`(v128.store (i32.add (local.get $rec) (local.get $i)) ${sum([mul('pc', base), mul('qc', '(local.get $ev)')])})`);
    body.push('(v128.store (i32.add (local.get $out) (local.get $i)) (local.get $ov))');
  } else {
    body.push(`(v128.store (i32.add (local.get $out) (local.get $i)) ${sum(outTerms)})`);
  }
  return kernel(`${kind}${k}`, [...used], body);
}

function kernel(name: string, splats: string[], body: string[]): string {
  const params = [...PTRS.map((p) => `(param $${p} i32)`), ...SCALARS.map((s) => `(param $${s} f32)`)].join(' ');
  const locals = ['(local $i i32) (local $end i32) (local $xv v128) (local $ev v128) (local $sv v128) (local $ov v128)', ...SCALARS.map((s) => `(local $v${s} v128)`)].join(' ');
  return [
    `  (func $${name} (export "${name}") ${params}`,
    `    ${locals}`,
    ...splats.map((s) => `    (local.set $v${s} (f32x4.splat (local.get $${s})))`),
    '    (local.set $end (i32.shl (local.get $n) (i32.const 2)))',
    '    (block $done (loop $next',
    '      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))',
    ...body.map((line) => `      ${line}`),
    '      (local.set $i (i32.add (local.get $i) (i32.const 16)))',
    '      (br $next))))',
  ].join('\n');
}

function helper(name: string, args: string, splats: string[], store: string): string {
  return [
    `  (func (export "${name}") ${args}`,
    `    (local $i i32) (local $end i32) ${splats.map((s) => `(local $v${s} v128)`).join(' ')}`,
    ...splats.map((s) => `    (local.set $v${s} (f32x4.splat (local.get $${s})))`),
    '    (local.set $end (i32.shl (local.get $n) (i32.const 2)))',
    '    (block $done (loop $next',
    '      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))',
    `      (v128.store (i32.add (local.get $out) (local.get $i)) ${store})`,
    '      (local.set $i (i32.add (local.get $i) (i32.const 16)))',
    '      (br $next))))',
  ].join('\n');
}

/** The module text; `pages` is the initial memory (grown by the host as workspaces need). */
export function passKernelsWat(): string {
  const kernels: string[] = [];
  for (const kind of PASS_KINDS) for (let k = 0; k <= MAX_FUSED_TERMS; k++) kernels.push(passKernel(kind, k));
  const helpers = [
    `  (func (export "copy") (param $n i32) (param $out i32) (param $x i32)\n    (memory.copy (local.get $out) (local.get $x) (i32.shl (local.get $n) (i32.const 2))))`,
    helper('scale', '(param $n i32) (param $out i32) (param $x i32) (param $a f32)', ['a'], mul('a', load('x'))),
    helper('axpy', '(param $n i32) (param $out i32) (param $x i32) (param $a f32)', ['a'], `(f32x4.add ${load('out')} ${mul('a', load('x'))})`),
  ];
  return ['(module', '  (memory (export "memory") 1)', ...kernels, ...helpers, ')', ''].join('\n');
}
