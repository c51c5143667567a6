/**
 * Output warping for the GP surrogate: a Yeo-Johnson power transform of standardized values with
 * its lambda chosen by maximum likelihood (the values made as Gaussian as a power can make them),
 * then standardized again, as HEBO does (Cowen-Rivers et al. 2022). The transform is monotone
 * increasing, so the order of the observations and the incumbent are unchanged; it tames skewed
 * objectives whose few very good values otherwise dominate the GP's scale.
 */

export function yeoJohnson(v: number, lambda: number): number {
  if (v >= 0) return Math.abs(lambda) < 1e-9 ? Math.log1p(v) : ((v + 1) ** lambda - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-9 ? -Math.log1p(-v) : -((1 - v) ** (2 - lambda) - 1) / (2 - lambda);
}

/** Lambdas tried, on a grid so the choice is exactly reproducible: -2 .. 4 by 0.1. */
const LAMBDAS = Array.from({ length: 61 }, (_, i) => Math.round((-2 + 0.1 * i) * 10) / 10);

/** Maximum-likelihood Yeo-Johnson lambda of y (ties: the first, i.e. smallest, on the grid). */
export function yeoJohnsonLambda(y: ArrayLike<number>): number {
  const n = y.length;
  let jac = 0;
  for (let i = 0; i < n; i++) jac += Math.sign(y[i]) * Math.log1p(Math.abs(y[i]));
  const t = new Float64Array(n);
  let bestL = 1, bestLl = -Infinity;
  for (const lambda of LAMBDAS) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      t[i] = yeoJohnson(y[i], lambda);
      m += t[i] / n;
    }
    let v = 0;
    for (let i = 0; i < n; i++) v += (t[i] - m) ** 2 / n;
    // Log-likelihood of a Gaussian fit to the transformed values plus the log Jacobian.
    const ll = -0.5 * n * Math.log(v) + (lambda - 1) * jac;
    if (ll > bestLl) {
      bestLl = ll;
      bestL = lambda;
    }
  }
  return bestL;
}

/** Warp standardized values and standardize the result (constant inputs come back as zeros). */
export function warpOutputs(y: Float64Array): Float64Array {
  const n = y.length;
  if (n < 3) return y.slice();
  const lambda = yeoJohnsonLambda(y);
  const t = Float64Array.from(y, (v) => yeoJohnson(v, lambda));
  let m = 0;
  for (const v of t) m += v / n;
  let s = 0;
  for (const v of t) s += (v - m) ** 2 / (n - 1);
  s = Math.sqrt(s);
  if (!(s > 1e-12)) return new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = (t[i] - m) / s;
  return t;
}
