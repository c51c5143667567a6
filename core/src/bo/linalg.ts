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
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      a[ri + j] = (a[ri + j] - dotRange(a, ri, a, rj, j)) * inv;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = 0;
  return true;
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
    if (choleskyInPlace(out, n)) return { ok: true, jitter };
    rel = rel === 0 ? 1e-10 : rel * 10;
    if (rel > maxRelJitter * 1.0001) return { ok: false, jitter };
  }
}

/** Solve L x = b in place (b becomes x); L lower triangular n x n. */
export function solveLowerInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    b[i] = (b[i] - dotRange(l, ri, b, 0, i)) / l[ri + i];
  }
}

/** Solve L^T x = b in place, reading L by rows (column-oriented back substitution). */
export function solveLowerTransposeInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
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
  work.fill(0, 0, n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    work[rj + j] = 1 / l[rj + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      // x_i = -(sum_{k=j}^{i-1} L_ik x_k) / L_ii with x stored in row j of work.
      work[rj + i] = -dotRange(l, ri + j, work, rj + j, i - j) / l[ri + i];
    }
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      // (L^-T L^-1)_ij = sum_{k >= max(i,j)} T_ik T_jk.
      const v = dotRange(work, ri + j, work, rj + j, n - j);
      out[ri + j] = v;
      out[rj + i] = v;
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
