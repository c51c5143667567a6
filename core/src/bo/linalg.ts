import { wasmFactorizer } from './wasm/tri-solve';

/**
 * Dense symmetric positive-definite algebra on row-major Float64Array matrices. Every routine
 * writes into caller-owned buffers so the hyperparameter fit can reuse one workspace across
 * hundreds of likelihood evaluations. Loops walk rows (contiguous memory) in the inner index.
 */

/** Dot product of a[ao..ao+len) and b[bo..bo+len), unrolled by four. */
export function dotRange(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < len; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + s2 + s3;
}

/**
 * In-place Cholesky A = L L^T of the lower triangle of a (n x n); the strict upper triangle is
 * zeroed. Returns false (leaving a partly overwritten) when a pivot is not positive.
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const s = a[rj + j] - dotRange(a, rj, a, rj, j);
    if (!(s > 0) || !Number.isFinite(s)) return false;
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    const inv = 1 / ljj;
    // Two rows at a time: each load of row j feeds two dot products.
    let i = j + 1;
    for (; i + 1 < n; i += 2) {
      const r1 = i * n, r2 = r1 + n;
      let s1 = a[r1 + j], s2 = a[r2 + j], t1 = 0, t2 = 0;
      let k = 0;
      for (; k + 1 < j; k += 2) {
        const v0 = a[rj + k], v1 = a[rj + k + 1];
        s1 -= a[r1 + k] * v0;
        t1 -= a[r1 + k + 1] * v1;
        s2 -= a[r2 + k] * v0;
        t2 -= a[r2 + k + 1] * v1;
      }
      if (k < j) {
        const v0 = a[rj + k];
        s1 -= a[r1 + k] * v0;
        s2 -= a[r2 + k] * v0;
      }
      a[r1 + j] = (s1 + t1) * inv;
      a[r2 + j] = (s2 + t2) * inv;
    }
    if (i < n) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dotRange(a, ri, a, rj, j)) * inv;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
  return true;
}

/** choleskyInPlace, in WebAssembly SIMD where available (bit-identical; the fit's largest cost after the inverse). */
function factorize(a: Float64Array, n: number): boolean {
  const wasm = n >= 16 ? wasmFactorizer() : null;
  return (wasm && wasm.cholesky(a, n)) ?? choleskyInPlace(a, n);
}

export interface JitteredCholesky {
  ok: boolean;
  /** Diagonal jitter that was finally added (0 when none was needed). */
  jitter: number;
}

/**
 * Cholesky of a (copied into out) with escalating diagonal jitter: none first, then 1e-10, 1e-9,
 * ... times the mean diagonal, up to maxRelJitter.
 */
export function choleskyWithJitter(a: Float64Array, n: number, out: Float64Array, maxRelJitter = 1e-2): JitteredCholesky {
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = n > 0 ? Math.abs(meanDiag / n) || 1 : 1;
  let rel = 0;
  for (;;) {
    out.set(a.subarray(0, n * n));
    const jitter = rel * meanDiag;
    if (jitter > 0) for (let i = 0; i < n; i++) out[i * n + i] += jitter;
    if (factorize(out, n)) return { ok: true, jitter };
    rel = rel === 0 ? 1e-10 : rel * 10;
    if (rel > maxRelJitter * 1.0001) return { ok: false, jitter };
  }
}

/**
 * Solve L x = b in place (b becomes x); L lower triangular n x n. Two rows per pass: each load of
 * b[k] feeds both rows' dot products (the acquisition search runs this hundreds of times per
 * proposal, and it is bound by loads, not arithmetic).
 */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const ri = i * n, rj = ri + n;
    let s0 = 0, t0 = 0, s1 = 0, t1 = 0;
    let k = 0;
    for (; k + 1 < i; k += 2) {
      const b0 = b[k], b1 = b[k + 1];
      s0 += l[ri + k] * b0;
      t0 += l[ri + k + 1] * b1;
      s1 += l[rj + k] * b0;
      t1 += l[rj + k + 1] * b1;
    }
    if (k < i) {
      const b0 = b[k];
      s0 += l[ri + k] * b0;
      s1 += l[rj + k] * b0;
    }
    const xi = (b[i] - (s0 + t0)) / l[ri + i];
    b[i] = xi;
    b[i + 1] = (b[i + 1] - (s1 + t1) - l[rj + i] * xi) / l[rj + i + 1];
  }
  if (i < n) {
    const ri = i * n;
    b[i] = (b[i] - dotRange(l, ri, b, 0, i)) / l[ri + i];
  }
}

/**
 * Solve L^T x = b in place, reading L by rows (column-oriented back substitution). Four rows per
 * pass: the update of b[0..i-3) then loads and stores each b[k] once instead of four times,
 * which makes it about three times faster at n = 200.
 */
export function solveLowerTransposeInPlace(l: Float64Array, n: number, b: Float64Array): void {
  let i = n - 1;
  for (; i >= 3; i -= 4) {
    const r0 = i * n, r1 = r0 - n, r2 = r1 - n, r3 = r2 - n;
    const x0 = b[i] / l[r0 + i];
    const x1 = (b[i - 1] - l[r0 + i - 1] * x0) / l[r1 + i - 1];
    const x2 = (b[i - 2] - l[r0 + i - 2] * x0 - l[r1 + i - 2] * x1) / l[r2 + i - 2];
    const x3 = (b[i - 3] - l[r0 + i - 3] * x0 - l[r1 + i - 3] * x1 - l[r2 + i - 3] * x2) / l[r3 + i - 3];
    b[i] = x0;
    b[i - 1] = x1;
    b[i - 2] = x2;
    b[i - 3] = x3;
    for (let k = 0; k < i - 3; k++) b[k] -= l[r0 + k] * x0 + l[r1 + k] * x1 + (l[r2 + k] * x2 + l[r3 + k] * x3);
  }
  for (; i >= 0; i--) {
    const ri = i * n;
    const xi = b[i] / l[ri + i];
    b[i] = xi;
    for (let k = 0; k < i; k++) b[k] -= l[ri + k] * xi;
  }
}

/** Solve (L L^T) x = b in place. */
export function cholSolveInPlace(l: Float64Array, n: number, b: Float64Array): void {
  solveLowerInPlace(l, n, b);
  solveLowerTransposeInPlace(l, n, b);
}

/** log det(L L^T) = 2 sum log L_ii. */
export function cholLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/**
 * (L L^T)^{-1} into out (full symmetric), using work (n x n) for T = L^{-T}: row j of T is
 * column j of L^{-1}, so both passes read rows. About n^3/3 multiply-adds.
 */
export function cholInverse(l: Float64Array, n: number, out: Float64Array, work: Float64Array): void {
  // The same arithmetic in WebAssembly SIMD (bit-identical, several times faster): the fit's
  // largest cost, once per likelihood evaluation.
  const wasm = n >= 16 ? wasmFactorizer() : null;
  if (wasm && wasm.inverse(l, n, out)) return;
  work.fill(0, 0, n * n);
  // Rows j and j+1 of T together: x_i = -(sum_{k<i} L_ik x_k) / L_ii shares the loads of L row i.
  let j = 0;
  for (; j + 1 < n; j += 2) {
    const ra = j * n, rb = ra + n;
    work[ra + j] = 1 / l[ra + j];
    work[ra + j + 1] = -(l[rb + j] * work[ra + j]) / l[rb + j + 1];
    work[rb + j + 1] = 1 / l[rb + j + 1];
    for (let i = j + 2; i < n; i++) {
      const ri = i * n;
      let sa = l[ri + j] * work[ra + j], sb = 0;
      for (let k = j + 1; k < i; k++) {
        const lik = l[ri + k];
        sa += lik * work[ra + k];
        sb += lik * work[rb + k];
      }
      const inv = 1 / l[ri + i];
      work[ra + i] = -sa * inv;
      work[rb + i] = -sb * inv;
    }
  }
  if (j < n) work[j * n + j] = 1 / l[j * n + j];
  // (L^-T L^-1)_ij = sum_{k >= max(i,j)} T_ik T_jk, in 2 x 2 blocks of the output.
  for (let i = 0; i < n; i += 2) {
    const hasI2 = i + 1 < n;
    const ri = i * n, ri2 = hasI2 ? ri + n : ri;
    for (let jj = i; jj < n; jj += 2) {
      const hasJ2 = jj + 1 < n;
      const rj = jj * n, rj2 = hasJ2 ? rj + n : rj;
      // k = jj contributes only to column jj (T_{jj+1, jj} = 0).
      let s00 = work[ri + jj] * work[rj + jj];
      let s10 = work[ri2 + jj] * work[rj + jj];
      let s01 = 0, s11 = 0;
      for (let k = jj + 1; k < n; k++) {
        const a0 = work[ri + k], a1 = work[ri2 + k], b0 = work[rj + k], b1 = work[rj2 + k];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      out[ri + jj] = s00;
      out[rj + i] = s00;
      if (hasJ2) {
        out[ri + jj + 1] = s01;
        out[rj2 + i] = s01;
      }
      if (hasI2) {
        out[ri2 + jj] = s10;
        out[rj + i + 1] = s10;
        if (hasJ2) {
          out[ri2 + jj + 1] = s11;
          out[rj2 + i + 1] = s11;
        }
      }
    }
  }
}

/**
 * Extend a Cholesky factor of an n x n matrix (stored with stride n) by one row and column:
 * writes the (n+1) x (n+1) factor into out (stride n+1). k holds the new column's off-diagonal
 * entries, kss its diagonal. Returns false when the update is not positive definite.
 */
export function cholAppend(l: Float64Array, n: number, k: Float64Array, kss: number, out: Float64Array): boolean {
  const m = n + 1;
  for (let i = 0; i < n; i++) {
    out.set(l.subarray(i * n, i * n + i + 1), i * m);
    for (let j = i + 1; j < m; j++) out[i * m + j] = 0;
  }
  const row = n * m;
  for (let i = 0; i < n; i++) out[row + i] = k[i];
  for (let i = 0; i < n; i++) out[row + i] = (out[row + i] - dotRange(l, i * n, out, row, i)) / l[i * n + i];
  const d = kss - dotRange(out, row, out, row, n);
  if (!(d > 0)) return false;
  out[row + n] = Math.sqrt(d);
  return true;
}
