/**
 * Limited-memory BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 3.5/3.6 and
 * 7.4), extended to simple bounds the cheap way: variables sitting on a bound with the gradient
 * pushing outward are frozen for the iteration, and the step length is capped so the trial
 * point never leaves the box. That is enough for the smooth, low-dimensional problems here
 * (GP hyperparameters, acquisition functions on [0,1]^d) without the full L-BFGS-B machinery.
 */

/** Writes the gradient at x into grad and returns the objective value. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Lower bounds per coordinate (-Infinity or absent: unbounded). */
  lower?: ArrayLike<number>;
  /** Upper bounds per coordinate (+Infinity or absent: unbounded). */
  upper?: ArrayLike<number>;
  /** Number of correction pairs kept. */
  memory?: number;
  maxIter?: number;
  /** Stop when the largest projected-gradient component falls below this. */
  gtol?: number;
  /** Stop when an iteration lowers f by less than ftol * max(|f|, 1). */
  ftol?: number;
  /** Also stop when an iteration lowers f by less than this absolute amount (default 0). */
  fatol?: number;
  /** Length of the first (steepest-descent) trial step; smaller near a known optimum. Default 1. */
  initialStep?: number;
  /** Cap on objective evaluations, line searches included. */
  maxEval?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  iterations: number;
  evaluations: number;
  converged: boolean;
  reason: 'gtol' | 'ftol' | 'max-iter' | 'max-eval' | 'line-search' | 'non-finite-start';
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LS_EVALS = 25;

/** A point of the line search: step, value, directional derivative and the full gradient. */
interface TrialPoint {
  a: number;
  f: number;
  dphi: number;
  x: Float64Array;
  g: Float64Array;
}

function makeTrial(n: number): TrialPoint {
  return { a: 0, f: 0, dphi: 0, x: new Float64Array(n), g: new Float64Array(n) };
}

function copyTrial(dst: TrialPoint, src: TrialPoint): void {
  dst.a = src.a;
  dst.f = src.f;
  dst.dphi = src.dphi;
  dst.x.set(src.x);
  dst.g.set(src.g);
}

/** Minimiser of the cubic through (a, fa, ga) and (b, fb, gb), or NaN when it has none. */
function cubicMin(a: number, fa: number, ga: number, b: number, fb: number, gb: number): number {
  const d1 = ga + gb - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - ga * gb;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (gb + d2 - d1)) / (gb - ga + 2 * d2);
}

export function minimizeLbfgs(fn: ObjectiveWithGradient, x0: ArrayLike<number>, options: LbfgsOptions = {}): LbfgsResult {
  const n = x0.length;
  const m = Math.max(1, options.memory ?? 10);
  const maxIter = options.maxIter ?? 200;
  const gtol = options.gtol ?? 1e-6;
  const ftol = options.ftol ?? 1e-12;
  const maxEval = options.maxEval ?? Math.max(50, maxIter * 4);
  const fatol = options.fatol ?? 0;
  const initialStep = options.initialStep ?? 1;
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  if (options.lower) for (let i = 0; i < n; i++) lo[i] = options.lower[i];
  if (options.upper) for (let i = 0; i < n; i++) hi[i] = options.upper[i];

  const snapLo = lo.map((b) => (Number.isFinite(b) ? 1e-13 * (1 + Math.abs(b)) : -Infinity));
  const snapHi = hi.map((b) => (Number.isFinite(b) ? 1e-13 * (1 + Math.abs(b)) : -Infinity));
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.min(hi[i], Math.max(lo[i], x0[i]));
  const g = new Float64Array(n);
  let f = fn(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) {
    return { x, f, grad: g, iterations: 0, evaluations, converged: false, reason: 'non-finite-start' };
  }

  const S: Float64Array[] = Array.from({ length: m }, () => new Float64Array(n));
  const Y: Float64Array[] = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alphas = new Float64Array(m);
  let stored = 0;
  let newest = -1;

  const free = new Uint8Array(n);
  const d = new Float64Array(n);
  const q = new Float64Array(n);
  let cur = makeTrial(n);
  let lowT = makeTrial(n);
  let highT = makeTrial(n);
  let best = makeTrial(n);

  const evaluateAt = (a: number, out: TrialPoint): void => {
    for (let i = 0; i < n; i++) {
      const v = x[i] + a * d[i];
      // Snap to a bound within rounding so a step that ends on the box edge stays exactly on it.
      out.x[i] = v - lo[i] <= snapLo[i] ? lo[i] : hi[i] - v <= snapHi[i] ? hi[i] : v;
    }
    const fv = fn(out.x, out.g);
    evaluations++;
    out.a = a;
    out.f = Number.isFinite(fv) ? fv : Infinity;
    let dp = 0;
    for (let i = 0; i < n; i++) dp += out.g[i] * d[i];
    out.dphi = Number.isFinite(dp) ? dp : 0;
  };

  /**
   * Strong-Wolfe search along d from x; on success the accepted point is left in `best`. Steps
   * are capped at aMax (the box edge); reaching it with sufficient decrease is accepted too.
   */
  const lineSearch = (f0: number, dphi0: number, aInit: number, aMax: number): boolean => {
    let prevA = 0, prevF = f0, prevD = dphi0;
    let a = Math.min(aInit, aMax);
    let havePrev = false;
    for (let k = 0; k < MAX_LS_EVALS && evaluations < maxEval; k++) {
      evaluateAt(a, cur);
      if (cur.f > f0 + C1 * a * dphi0 || (havePrev && cur.f >= prevF) || !Number.isFinite(cur.f)) {
        return zoom(f0, dphi0, prevA, prevF, prevD, havePrev, cur);
      }
      if (Math.abs(cur.dphi) <= -C2 * dphi0) {
        copyTrial(best, cur);
        return true;
      }
      if (cur.dphi >= 0) {
        // The minimum is bracketed between cur (low side) and the previous point.
        copyTrial(lowT, cur);
        if (havePrev) copyTrial(highT, best);
        else { highT.a = 0; highT.f = f0; highT.dphi = dphi0; highT.x.set(x); highT.g.set(g); }
        return zoomBracket(f0, dphi0);
      }
      if (a >= aMax) {
        copyTrial(best, cur);
        return true;
      }
      copyTrial(best, cur);
      havePrev = true;
      prevA = a; prevF = cur.f; prevD = cur.dphi;
      a = Math.min(aMax, a * 4);
    }
    return havePrev && best.f < f0;
  };

  /** Bracket [prev, cur] where cur violates sufficient decrease: cur becomes the high end. */
  const zoom = (f0: number, dphi0: number, prevA: number, prevF: number, prevD: number, havePrev: boolean, high: TrialPoint): boolean => {
    copyTrial(highT, high);
    if (havePrev) copyTrial(lowT, best);
    else { lowT.a = prevA; lowT.f = prevF; lowT.dphi = prevD; lowT.x.set(x); lowT.g.set(g); }
    return zoomBracket(f0, dphi0);
  };

  const zoomBracket = (f0: number, dphi0: number): boolean => {
    for (let k = 0; k < MAX_LS_EVALS && evaluations < maxEval; k++) {
      const a0 = lowT.a, a1 = highT.a;
      const width = Math.abs(a1 - a0);
      if (width < 1e-16 * Math.max(1, Math.abs(a0))) break;
      let a = Number.isFinite(highT.f) ? cubicMin(a0, lowT.f, lowT.dphi, a1, highT.f, highT.dphi) : NaN;
      const left = Math.min(a0, a1), right = Math.max(a0, a1);
      // Safeguard: stay well inside the bracket, otherwise bisect.
      if (!Number.isFinite(a) || a < left + 0.1 * width || a > right - 0.1 * width) a = 0.5 * (a0 + a1);
      evaluateAt(a, cur);
      if (cur.f > f0 + C1 * a * dphi0 || cur.f >= lowT.f) {
        const t = highT; highT = cur; cur = t;
      } else {
        if (Math.abs(cur.dphi) <= -C2 * dphi0) {
          copyTrial(best, cur);
          return true;
        }
        if (cur.dphi * (a1 - a0) >= 0) copyTrial(highT, lowT);
        const t = lowT; lowT = cur; cur = t;
      }
    }
    // Out of evaluations: keep the low end when it improves on the start.
    if (lowT.a > 0 && lowT.f < f0) {
      copyTrial(best, lowT);
      return true;
    }
    return false;
  };

  let iterations = 0;
  let reason: LbfgsResult['reason'] = 'max-iter';
  let converged = false;

  while (iterations < maxIter) {
    if (evaluations >= maxEval) { reason = 'max-eval'; break; }
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      const frozen = (x[i] <= lo[i] && g[i] > 0) || (x[i] >= hi[i] && g[i] < 0);
      free[i] = frozen ? 0 : 1;
      if (!frozen) pgMax = Math.max(pgMax, Math.abs(g[i]));
    }
    if (pgMax <= gtol) { reason = 'gtol'; converged = true; break; }

    let steepest = false;
    for (let attempt = 0; attempt < 2; attempt++) {
      steepest = stored === 0;
      computeDirection(n, g, free, S, Y, rho, alphas, stored, newest, m, q, d);
      let dg = 0;
      for (let i = 0; i < n; i++) dg += d[i] * g[i];
      if (dg < 0 || stored === 0) break;
      stored = 0; // not a descent direction: drop the curvature memory and use the gradient
    }
    let dphi0 = 0;
    for (let i = 0; i < n; i++) dphi0 += d[i] * g[i];
    if (!(dphi0 < 0)) { reason = 'gtol'; converged = true; break; }

    let aMax = Infinity;
    for (let i = 0; i < n; i++) {
      if (!free[i] || d[i] === 0) continue;
      const room = d[i] < 0 ? (lo[i] - x[i]) / d[i] : (hi[i] - x[i]) / d[i];
      if (room < aMax) aMax = Math.max(0, room);
    }
    if (aMax <= 1e-14) {
      // A free variable on its bound blocks the quasi-Newton step: fall back to the gradient.
      if (!steepest) { stored = 0; continue; }
      reason = 'gtol'; converged = true; break;
    }
    const aInit = steepest ? Math.min(1, initialStep / Math.sqrt(-dphi0)) : 1;
    const ok = lineSearch(f, dphi0, aInit, aMax);
    if (!ok) {
      if (!steepest) { stored = 0; continue; }
      reason = evaluations >= maxEval ? 'max-eval' : 'line-search';
      break;
    }
    iterations++;
    const slot = (newest + 1) % m;
    const s = S[slot], y = Y[slot];
    let sy = 0, yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = best.x[i] - x[i];
      y[i] = best.g[i] - g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (sy > 1e-12 * yy && sy > 0) {
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(m, stored + 1);
    }
    const fPrev = f;
    x.set(best.x);
    g.set(best.g);
    f = best.f;
    if (fPrev - f <= Math.max(fatol, ftol * Math.max(1, Math.abs(f), Math.abs(fPrev)))) { reason = 'ftol'; converged = true; break; }
  }
  return { x, f, grad: g, iterations, evaluations, converged, reason };
}

/** Two-loop recursion: d = -H g over the free coordinates (frozen ones get 0). */
function computeDirection(
  n: number, g: Float64Array, free: Uint8Array, S: Float64Array[], Y: Float64Array[], rho: Float64Array,
  alphas: Float64Array, stored: number, newest: number, m: number, q: Float64Array, d: Float64Array,
): void {
  for (let i = 0; i < n; i++) q[i] = free[i] ? g[i] : 0;
  let slot = newest;
  for (let k = 0; k < stored; k++) {
    const s = S[slot], y = Y[slot];
    let a = 0;
    for (let i = 0; i < n; i++) a += s[i] * q[i];
    a *= rho[slot];
    alphas[slot] = a;
    for (let i = 0; i < n; i++) if (free[i]) q[i] -= a * y[i];
    slot = (slot - 1 + m) % m;
  }
  let gamma = 1;
  if (stored > 0) {
    const s = S[newest], y = Y[newest];
    let sy = 0, yy = 0;
    for (let i = 0; i < n; i++) { sy += s[i] * y[i]; yy += y[i] * y[i]; }
    gamma = yy > 0 ? sy / yy : 1;
  }
  for (let i = 0; i < n; i++) q[i] *= gamma;
  slot = (newest - stored + 1 + m * 2) % m;
  for (let k = 0; k < stored; k++) {
    const s = S[slot], y = Y[slot];
    let b = 0;
    for (let i = 0; i < n; i++) b += y[i] * q[i];
    b *= rho[slot];
    const c = alphas[slot] - b;
    for (let i = 0; i < n; i++) if (free[i]) q[i] += c * s[i];
    slot = (slot + 1) % m;
  }
  for (let i = 0; i < n; i++) d[i] = free[i] ? -q[i] : 0;
}
