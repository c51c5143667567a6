/**
 * WebAssembly text of the fused step kernels of the two solvers that are not USF schedules
 * (DPM-Solver-v3, DC-Solver; see solver-passes.ts), compiled into the same module as the USF pass
 * kernels (kernels-wat.ts). As there: float32 buffers, float64 arithmetic (f64x2, two values per
 * iteration), every load of an element before any store, so outputs may alias inputs as noted.
 *
 * v3step (n, dim, e, x, xp, h1, h2, h3, n0, xc, xn, coef : i32, sigma : f64), per element j of
 * dimension d = j mod dim, with per-dimension float64 coefficient vectors at coef (vector v at
 * coef + 8 v dim; dim must be even):
 *   N0 = sigma e - L x
 *   XC = cX x + cA xp + cQ + C0 N0 + C1 h1 + C2 h2 + C3 h3      (the corrector of x_i; cX = 1, others 0 when off)
 *   XN = pA XC + pQ + P0 N0 + P1 h1 + P2 h2                    (the predictor to t_{i+1})
 *   n0 = N0 (may alias h3), xc = XC (may alias xp), xn = XN (may alias x)
 * Vectors in order: L, cX, cA, cQ, C0, C1, C2, C3, pA, pQ, P0, P1, P2 (V3_COEFFICIENT_VECTORS).
 * The step is bound by instructions (as the USF passes are: kernels-wat.ts), mostly its 13
 * coefficient loads and products per pair of values; a float32-arithmetic variant (f32x4 with
 * float32 coefficients) measured no faster at gmm-cifar batch 64, so the float64 arithmetic stays.
 * v3step4 is the same with four values per iteration (dim a multiple of 4): 6.9-7.2x DDIM's
 * free-model sampling time against 7.7-8.3x for v3step in three alternating runs there.
 *
 * dcstep (n, y, e, xp, m1, m2, m3, xc, mk, yn : i32, ia, so, cy, cx, g1, g2, g3, gR, w0, w1, w2, px, q0, q1, q2 : f64):
 *   R  = ia y - so e                                  (the data prediction of the evaluation at y)
 *   XC = cy y + cx xp + g1 m1 + g2 m2 + g3 m3 + gR R  (UniC corrector; cy = 1, others 0 when off)
 *   MK = w2 R + w1 m1 + w0 m2                         (dynamic compensation: Lagrange weights)
 *   YN = px XC + q0 MK + q1 m1 + q2 m2                (UniP predictor of the next step)
 *   xc = XC (may alias xp), mk = MK (may alias m3), yn = YN (may alias y)
 * four values per iteration (n a multiple of 4): against two, that cut DC's free-model sampling
 * time from 3.4-3.9x DDIM's to 3.0-3.3x in four alternating runs at gmm-cifar batch 64.
 */

export const V3_COEFFICIENT_VECTORS = ['L', 'cX', 'cA', 'cQ', 'C0', 'C1', 'C2', 'C3', 'pA', 'pQ', 'P0', 'P1', 'P2'] as const;
export const DC_SCALARS = ['ia', 'so', 'cy', 'cx', 'g1', 'g2', 'g3', 'gR', 'w0', 'w1', 'w2', 'px', 'q0', 'q1', 'q2'] as const;

const at = (ptr: string) => `(i32.add (local.get $${ptr}) (local.get $i))`;
const offset = (bytes: number) => (bytes ? ` offset=${bytes}` : '');
/** Two float32 values at ptr + i (+ `bytes`), widened to f64x2. */
const load32 = (ptr: string, bytes = 0) => `(f64x2.promote_low_f32x4 (v128.load64_zero${offset(bytes)} ${at(ptr)}))`;
const store32 = (ptr: string, v: string, bytes = 0) => `(v128.store64_lane${offset(bytes)} 0 ${at(ptr)} (f32x4.demote_f64x2_zero ${v}))`;
const g = (name: string) => `(local.get $${name})`;
const mul = (a: string, b: string) => `(f64x2.mul ${a} ${b})`;
const add = (...terms: string[]) => terms.reduce((acc, t) => `(f64x2.add ${acc} ${t})`);
const sub = (a: string, b: string) => `(f64x2.sub ${a} ${b})`;

/** `bytes` of float32 values per iteration (8: two values, n even; 16: four, n a multiple of 4) over n values. */
function loop(body: string[], after: string[] = [], bytes = 8): string[] {
  return [
    '    (local.set $end (i32.shl (local.get $n) (i32.const 2)))',
    '    (block $done (loop $next',
    '      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))',
    ...body.map((line) => `      ${line}`),
    `      (local.set $i (i32.add (local.get $i) (i32.const ${bytes})))`,
    ...after.map((line) => `      ${line}`),
    '      (br $next))))',
  ];
}

/**
 * `halves` f64x2 halves per iteration: 1 (two values; dim even) or 2 (four values; dim a multiple
 * of 4, so that the coefficient offset still meets the row's end exactly).
 */
function v3Step(halves: 1 | 2): string {
  const vecs = V3_COEFFICIENT_VECTORS;
  const ptrs = ['n', 'dim', 'e', 'x', 'xp', 'h1', 'h2', 'h3', 'n0', 'xc', 'xn', 'coef'];
  const params = [...ptrs.map((p) => `(param $${p} i32)`), '(param $sigma f64)'].join(' ');
  const WIDE = ['E', 'X', 'XP', 'H1', 'H2', 'H3', 'N0', 'XC', 'XN'];
  const locals = [
    '(local $i i32) (local $end i32) (local $j i32) (local $row i32) (local $vsigma v128)',
    ...vecs.map((v) => `(local $p${v} i32)`),
    ...Array.from({ length: halves }, (_, h) => WIDE.map((v) => `(local $${v}${h} v128)`)).flat(),
  ].join(' ');
  const setup = [
    '    (local.set $row (i32.shl (local.get $dim) (i32.const 3)))',
    '    (local.set $vsigma (f64x2.splat (local.get $sigma)))',
    ...vecs.map((v, k) => `    (local.set $p${v} (i32.add (local.get $coef) (i32.mul (local.get $row) (i32.const ${k}))))`),
  ];
  // Half h: float32 values at byte offset 8h, their float64 coefficients at 16h. Each half loads
  // every input before it stores (outputs alias inputs: n0 = h3, xc = xp, xn = x).
  const half = (h: number): string[] => {
    const o = 8 * h, v = (name: string) => g(`${name}${h}`), set = (name: string, x: string) => `(local.set $${name}${h} ${x})`;
    const c = (name: string) => `(v128.load${offset(16 * h)} (i32.add (local.get $p${name}) (local.get $j)))`;
    return [
      set('E', load32('e', o)), set('X', load32('x', o)), set('XP', load32('xp', o)),
      set('H1', load32('h1', o)), set('H2', load32('h2', o)), set('H3', load32('h3', o)),
      set('N0', sub(mul(g('vsigma'), v('E')), mul(c('L'), v('X')))),
      set('XC', add(mul(c('cX'), v('X')), mul(c('cA'), v('XP')), c('cQ'), mul(c('C0'), v('N0')), mul(c('C1'), v('H1')), mul(c('C2'), v('H2')), mul(c('C3'), v('H3')))),
      set('XN', add(mul(c('pA'), v('XC')), c('pQ'), mul(c('P0'), v('N0')), mul(c('P1'), v('H1')), mul(c('P2'), v('H2')))),
      store32('n0', v('N0'), o), store32('xc', v('XC'), o), store32('xn', v('XN'), o),
    ];
  };
  const body = Array.from({ length: halves }, (_, h) => half(h)).flat();
  // The coefficient offset walks one row of dim values, then starts over.
  const after = [`(local.set $j (i32.add (local.get $j) (i32.const ${16 * halves})))`, '(if (i32.eq (local.get $j) (local.get $row)) (then (local.set $j (i32.const 0))))'];
  const name = halves === 1 ? 'v3step' : 'v3step4';
  return [`  (func (export "${name}") ${params}`, `    ${locals}`, ...setup, ...loop(body, after, 8 * halves)].join('\n');
}

/** Four values per iteration, as two f64x2 halves (the second at byte offset 8), so n must be a multiple of 4. */
function dcStep(): string {
  const ptrs = ['n', 'y', 'e', 'xp', 'm1', 'm2', 'm3', 'xc', 'mk', 'yn'];
  const params = [...ptrs.map((p) => `(param $${p} i32)`), ...DC_SCALARS.map((s) => `(param $${s} f64)`)].join(' ');
  const WIDE = ['Y', 'E', 'XP', 'M1', 'M2', 'M3', 'R', 'XC', 'MK'];
  const locals = [
    '(local $i i32) (local $end i32)',
    ...DC_SCALARS.map((s) => `(local $v${s} v128)`),
    ...[0, 1].flatMap((h) => WIDE.map((v) => `(local $${v}${h} v128)`)),
  ].join(' ');
  const s = (name: string) => g(`v${name}`);
  const half = (h: number): string[] => {
    const o = 8 * h, v = (name: string) => g(`${name}${h}`), set = (name: string, x: string) => `(local.set $${name}${h} ${x})`;
    return [
      set('Y', load32('y', o)), set('E', load32('e', o)), set('XP', load32('xp', o)),
      set('M1', load32('m1', o)), set('M2', load32('m2', o)), set('M3', load32('m3', o)),
      set('R', sub(mul(s('ia'), v('Y')), mul(s('so'), v('E')))),
      set('XC', add(mul(s('cy'), v('Y')), mul(s('cx'), v('XP')), mul(s('g1'), v('M1')), mul(s('g2'), v('M2')), mul(s('g3'), v('M3')), mul(s('gR'), v('R')))),
      set('MK', add(mul(s('w2'), v('R')), mul(s('w1'), v('M1')), mul(s('w0'), v('M2')))),
    ];
  };
  const stores = (h: number): string[] => {
    const o = 8 * h, v = (name: string) => g(`${name}${h}`);
    return [
      store32('xc', v('XC'), o),
      store32('mk', v('MK'), o),
      store32('yn', add(mul(s('px'), v('XC')), mul(s('q0'), v('MK')), mul(s('q1'), v('M1')), mul(s('q2'), v('M2'))), o),
    ];
  };
  // Each half loads its two values of every input before it stores any output (the outputs may
  // alias inputs: xc = xp, mk = m3, yn = y); the halves touch different values.
  const body = [...half(0), ...stores(0), ...half(1), ...stores(1)];
  return [
    `  (func (export "dcstep") ${params}`,
    `    ${locals}`,
    ...DC_SCALARS.map((name) => `    (local.set $v${name} (f64x2.splat (local.get $${name})))`),
    ...loop(body, [], 16),
  ].join('\n');
}

/** The kernels' function texts, for the module in kernels-wat.ts. */
export function solverKernelsWat(): string[] {
  return [v3Step(1), v3Step(2), dcStep()];
}
