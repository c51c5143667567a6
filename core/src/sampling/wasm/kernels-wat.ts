/**
 * WebAssembly text of the float32 pass kernels (see pass-kernels.ts for how they are used).
 * Generated rather than written out: the variants differ only in which terms they read.
 *
 * Every pass kernel has the same signature, so the sampler can dispatch through one table:
 *
 *   (n, out, x, xs, e, rec, f0, f1, f2 : i32, a, b, c, pc, qc, w0, w1, w2 : f64)
 *
 * n counts float32 values and must be a multiple of 4 (buffers are padded); the others are byte
 * offsets into the module's memory. Per element, reading every input before writing any output
 * (so out may equal x or xs, and rec may equal out):
 *
 *   at<k>:    rec = pc x  + qc e;   out = a x + b e        + sum_{m<k} w_m f_m
 *   else<k>:  rec = pc xs + qc e;   out = a x + b e + c xs + sum_{m<k} w_m f_m
 *   plain<k>:                       out = a x              + sum_{m<k} w_m f_m
 *
 * rec is stored before out, so "no record" is written rec = out.
 *
 * Pair kernels run a pass with a fresh evaluation and the plain pass that follows it without a
 * model call between (UniPC's corrector of x_i, then its predictor of x_{i+1}) as one loop, when
 * the second reads the first's record and then the first's own terms, as UniPC's predictor does
 * (the new data prediction, then the older ones the corrector also read):
 *
 *   <kind><k>r<k2>  (the above, then)  out2 = a2 out + v0 rec + sum_{1<=m<k2} v_m f_{m-1}
 *
 * with the extra parameters (out2 : i32) after the pointers and (a2, v0, v1, v2 : f64) after the
 * scalars. The second half takes out, rec and the terms from the registers the first half
 * computed or loaded them into, so it adds no loads, and out and rec enter it in float64 (one
 * rounding less than the separate passes, which reread them as float32). These
 * passes are bound by instructions, not memory: a pass takes the same time per value with its
 * buffers in L1 as at gmm-cifar size, so what a pair saves is the loads, widenings and loop of
 * the second pass (measured ~15% of a UniPC step). out2 may alias any input of the first half
 * (UniPC's predictor overwrites the point its corrector read).
 *
 * Buffers are float32 but the arithmetic is float64 (f64x2 SIMD, two values per iteration: load
 * 8 bytes, promote, compute, demote, store 8 bytes), with float64 coefficients. Early solver
 * steps combine large coefficients of opposite sign (x_t = 67 x - 66 eps from t = 1 to 0.4 on
 * VP-linear), and float32 coefficients and products lose 6e-8 of each term, 67 times the
 * rounding of the result; measured on gmm-64d that made the float32 state 10-40x less accurate
 * than the float32 model alone. In float64, each pass rounds once, when it stores its result.
 * It costs about 2x over float32 arithmetic, the passes being bound by instructions (above).
 * Helpers for the rare shapes: copy (memory.copy), scale (out = a x), axpy (out += a x).
 * The fused steps of DPM-Solver-v3 and DC-Solver are in solver-kernels-wat.ts.
 */

import { solverKernelsWat } from './solver-kernels-wat';

export const PASS_KINDS = ['at', 'else', 'plain'] as const;
export type PassKind = (typeof PASS_KINDS)[number];
/** Stored terms a specialised kernel reads; more go through the helpers. */
export const MAX_FUSED_TERMS = 3;

const PTRS = ['n', 'out', 'x', 'xs', 'e', 'rec', 'f0', 'f1', 'f2'];
const SCALARS = ['a', 'b', 'c', 'pc', 'qc', 'w0', 'w1', 'w2'];
/** The pair kernels' second pass: its output, its coefficients. */
const PAIR_PTRS = ['out2'];
const PAIR_SCALARS = ['a2', 'v0', 'v1', 'v2'];

const addr = (ptr: string) => `(i32.add (local.get $${ptr}) (local.get $i))`;
const at8 = (offset: number) => (offset ? ` offset=${offset}` : '');
/**
 * Four float32 values at ptr + i, widened into two f64x2 locals: $<name>_0 (values 0-1) and
 * $<name>_1 (values 2-3), each from an 8-byte load.
 */
const widen = (name: string, ptr: string): string[] => [
  `(local.set $${name}_0 (f64x2.promote_low_f32x4 (v128.load64_zero ${addr(ptr)})))`,
  `(local.set $${name}_1 (f64x2.promote_low_f32x4 (v128.load64_zero${at8(8)} ${addr(ptr)})))`,
];
/** Round two f64x2 (values 0-1 and 2-3) to float32 and store the four values at ptr + i. */
const store = (ptr: string, lo: string, hi: string) =>
  `(v128.store64_lane 0 ${addr(ptr)} (f32x4.demote_f64x2_zero ${lo})) (v128.store64_lane${at8(8)} 0 ${addr(ptr)} (f32x4.demote_f64x2_zero ${hi}))`;
const get = (name: string, half: number) => `(local.get $${name}_${half})`;
const splat = (s: string) => `(local.get $v${s})`;
const mul = (s: string, v: string) => `(f64x2.mul ${splat(s)} ${v})`;
const sum = (terms: string[]) => terms.reduce((acc, t) => `(f64x2.add ${acc} ${t})`);
/** f64x2 locals: the widened inputs (x, e, xs, stored terms t0..t2, out for axpy, the pair's y and u0..u2) and the result. */
const WIDE = ['x', 'e', 's', 't0', 't1', 't2', 'o', 'ov', 'y', 'u0', 'u1', 'u2'];
const WIDE_LOCALS = ['(local $tmp v128)', ...WIDE.flatMap((w) => [`(local $${w}_0 v128)`, `(local $${w}_1 v128)`])].join(' ');

function passKernel(kind: PassKind, k: number): string {
  const { used, body } = passBody(kind, k);
  return kernel(`${kind}${k}`, [...used], body);
}

/** A fresh-evaluation pass, then the plain pass reading its output, record and terms (see the top of the file). */
function pairKernel(kind: Exclude<PassKind, 'plain'>, k: number, k2: number): string {
  const { used, body } = passBody(kind, k, true);
  used.add('a2');
  for (let m = 0; m < k2; m++) used.add(`v${m}`);
  // From registers: y = the first's out (unrounded), g0 = its record, g_m = its term t_{m-1}.
  const src = (m: number) => (m === 0 ? 'u0' : `t${m - 1}`);
  const terms = (h: number) => sum([mul('a2', get('ov', h)), ...Array.from({ length: k2 }, (_, m) => mul(`v${m}`, get(src(m), h)))]);
  body.push(store('out2', terms(0), terms(1)));
  return kernel(`${kind}${k}r${k2}`, [...used], body, true);
}

function passBody(kind: PassKind, k: number, keepRec = false): { used: Set<string>; body: string[] } {
  const used = new Set(['a', ...Array.from({ length: k }, (_, m) => `w${m}`)]);
  if (kind !== 'plain') ['b', 'pc', 'qc'].forEach((s) => used.add(s));
  if (kind === 'else') used.add('c');
  const outTerms = (h: number) => {
    const terms = [mul('a', get('x', h))];
    if (kind !== 'plain') terms.push(mul('b', get('e', h)));
    if (kind === 'else') terms.push(mul('c', get('s', h)));
    for (let m = 0; m < k; m++) terms.push(mul(`w${m}`, get(`t${m}`, h)));
    return sum(terms);
  };
  const body: string[] = [...widen('x', 'x')];
  if (kind !== 'plain') body.push(...widen('e', 'e'));
  if (kind === 'else') body.push(...widen('s', 'xs'));
  for (let m = 0; m < k; m++) body.push(...widen(`t${m}`, `f${m}`));
  if (kind !== 'plain') {
    const base = kind === 'else' ? 's' : 'x';
    const rec = (h: number) => sum([mul('pc', get(base, h)), mul('qc', get('e', h))]);
    // Every load (x, e, xs and the terms) happens before either store, so rec and out may
    // alias any input, and rec may alias out.
    body.push(`(local.set $ov_0 ${outTerms(0)})`, `(local.set $ov_1 ${outTerms(1)})`);
    if (keepRec) body.push(`(local.set $u0_0 ${rec(0)})`, `(local.set $u0_1 ${rec(1)})`, store('rec', get('u0', 0), get('u0', 1)));
    else body.push(store('rec', rec(0), rec(1)));
    body.push(store('out', get('ov', 0), get('ov', 1)));
  } else {
    body.push(store('out', outTerms(0), outTerms(1)));
  }
  return { used, body };
}

function kernel(name: string, splats: string[], body: string[], pair = false): string {
  const ptrs = pair ? [...PTRS, ...PAIR_PTRS] : PTRS;
  const scalars = pair ? [...SCALARS, ...PAIR_SCALARS] : SCALARS;
  const params = [...ptrs.map((p) => `(param $${p} i32)`), ...scalars.map((s) => `(param $${s} f64)`)].join(' ');
  const locals = ['(local $i i32) (local $end i32)', WIDE_LOCALS, ...scalars.map((s) => `(local $v${s} v128)`)].join(' ');
  return [
    `  (func $${name} (export "${name}") ${params}`,
    `    ${locals}`,
    ...splats.map((s) => `    (local.set $v${s} (f64x2.splat (local.get $${s})))`),
    ...loop(body),
  ].join('\n');
}

/** Four float32 values (16 bytes) per iteration over n values. */
function loop(body: string[]): string[] {
  return [
    '    (local.set $end (i32.shl (local.get $n) (i32.const 2)))',
    '    (block $done (loop $next',
    '      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))',
    ...body.map((line) => `      ${line}`),
    '      (local.set $i (i32.add (local.get $i) (i32.const 16)))',
    '      (br $next))))',
  ];
}

function helper(name: string, args: string, body: string[]): string {
  return [
    `  (func (export "${name}") ${args}`,
    `    (local $i i32) (local $end i32) (local $va v128) ${WIDE_LOCALS}`,
    '    (local.set $va (f64x2.splat (local.get $a)))',
    ...loop(body),
  ].join('\n');
}

/** The module text; `pages` is the initial memory (grown by the host as workspaces need). */
export function passKernelsWat(): string {
  const kernels: string[] = [];
  for (const kind of PASS_KINDS) for (let k = 0; k <= MAX_FUSED_TERMS; k++) kernels.push(passKernel(kind, k));
  for (const kind of ['at', 'else'] as const) {
    for (let k = 0; k <= MAX_FUSED_TERMS; k++) for (let k2 = 1; k2 <= Math.min(MAX_FUSED_TERMS, k + 1); k2++) kernels.push(pairKernel(kind, k, k2));
  }
  const helpers = [
    `  (func (export "copy") (param $n i32) (param $out i32) (param $x i32)\n    (memory.copy (local.get $out) (local.get $x) (i32.shl (local.get $n) (i32.const 2))))`,
    helper('scale', '(param $n i32) (param $out i32) (param $x i32) (param $a f64)', [
      ...widen('x', 'x'),
      store('out', mul('a', get('x', 0)), mul('a', get('x', 1))),
    ]),
    helper('axpy', '(param $n i32) (param $out i32) (param $x i32) (param $a f64)', [
      ...widen('x', 'x'),
      ...widen('o', 'out'),
      store('out', `(f64x2.add ${get('o', 0)} ${mul('a', get('x', 0))})`, `(f64x2.add ${get('o', 1)} ${mul('a', get('x', 1))})`),
    ]),
  ];
  return ['(module', '  (memory (export "memory") 1)', ...kernels, ...helpers, ...solverKernelsWat(), ')', ''].join('\n');
}
