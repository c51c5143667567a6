/**
 * Eigendecomposition of a real symmetric matrix: Householder reduction to tridiagonal form and the
 * implicit QL algorithm (tred2/tql2 of EISPACK, as in JAMA). O(n^3), backward stable; eigenvalues
 * only skips accumulating the orthogonal factor, about 3x cheaper. Row-major Float64Array.
 */

export interface SymmetricEigen {
  /** Ascending. */
  values: Float64Array;
  /** Column j (vectors[i*n + j], i = 0..n-1) is the unit eigenvector of values[j]; absent for values only. */
  vectors?: Float64Array;
}

export function symmetricEigen(a: ArrayLike<number>, n: number, wantVectors = true): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) throw new RangeError(`expected an ${n}x${n} matrix, got ${a.length} values`);
  const V = Float64Array.from(a);
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: wantVectors ? V : undefined };
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) {
    // Use the symmetric part: callers pass covariance products that are symmetric only to rounding.
    const s = 0.5 * (V[i * n + j] + V[j * n + i]);
    V[i * n + j] = s;
    V[j * n + i] = s;
  }
  tred2(V, d, e, n, wantVectors);
  tql2(V, d, e, n, wantVectors);
  // V holds the eigenvectors as rows (see below); sort ascending, swapping rows.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (d[j] < d[k]) k = j;
    if (k === i) continue;
    const p = d[k]; d[k] = d[i]; d[i] = p;
    if (wantVectors) {
      const rowI = V.slice(i * n, i * n + n);
      V.copyWithin(i * n, k * n, k * n + n);
      V.set(rowI, k * n);
    }
  }
  if (!wantVectors) return { values: d };
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const t = V[i * n + j]; V[i * n + j] = V[j * n + i]; V[j * n + i] = t; }
  return { values: d, vectors: V };
}

/*
 * tred2/tql2 below are JAMA's with the orthogonal factor stored transposed (storage[c*n + r] holds
 * V[r][c]): every innermost loop then walks contiguous memory, which is several times faster for
 * n in the hundreds than the column-strided original. The input is symmetric, so it needs no
 * transposition on the way in.
 */

function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean): void {
  for (let j = 0; j < n; j++) d[j] = V[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
        V[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        V[i * n + j] = f;
        g = e[j] + V[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = V[j * n + k];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) V[j * n + k] -= f * e[k] + g * d[k];
        d[j] = V[j * n + i - 1];
        V[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  if (!wantVectors) {
    // The tridiagonal diagonal sits on V's diagonal; the orthogonal factor is not needed.
    for (let i = 0; i < n; i++) d[i] = V[i * n + i];
    e[0] = 0;
    return;
  }
  for (let i = 0; i < n - 1; i++) {
    V[i * n + n - 1] = V[i * n + i];
    V[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[(i + 1) * n + k] * V[j * n + k];
        for (let k = 0; k <= i; k++) V[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) V[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V[j * n + n - 1];
    V[j * n + n - 1] = 0;
  }
  V[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number, wantVectors: boolean): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (wantVectors) {
            const ri = i * n, rj = ri + n; // rows i and i+1 of the transposed factor: contiguous
            for (let k = 0; k < n; k++) {
              h = V[rj + k];
              V[rj + k] = s * V[ri + k] + c * h;
              V[ri + k] = c * V[ri + k] - s * h;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** C = A B for n x n row-major matrices. */
export function matMul(a: Float64Array, b: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ri + k];
      if (aik === 0) continue;
      const rk = k * n;
      for (let j = 0; j < n; j++) out[ri + j] += aik * b[rk + j];
    }
  }
  return out;
}

/** Symmetric PSD square root V diag(sqrt(max(lambda, 0))) V^T. */
export function psdSqrt(a: ArrayLike<number>, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n, true);
  const V = vectors!;
  const out = new Float64Array(n * n);
  const w = new Float64Array(n);
  for (let j = 0; j < n; j++) w[j] = Math.sqrt(Math.max(values[j], 0));
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += V[i * n + j] * w[j] * V[k * n + j];
      out[i * n + k] = s;
      out[k * n + i] = s;
    }
  }
  return out;
}
