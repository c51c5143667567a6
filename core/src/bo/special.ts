/**
 * Normal-distribution special functions accurate in the tails, which is what a log-space
 * acquisition function needs: erfc/erfcx to full relative precision and log Phi without
 * underflow.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / SQRT_PI;

/** erf(x) e^{x^2} sqrt(pi) / (2x) as the all-positive series sum (2x^2)^k / (2k+1)!!. */
function erfSeriesScaled(x: number): number {
  const t = 2 * x * x;
  let term = 1, sum = 1;
  for (let k = 1; k < 200; k++) {
    term *= t / (2 * k + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/** erf(x) for |x| < 2 from the positive series (no cancellation). */
function erfSmall(x: number): number {
  return TWO_OVER_SQRT_PI * x * Math.exp(-x * x) * erfSeriesScaled(x);
}

/** erfcx(x) = e^{x^2} erfc(x) for x >= 2 by the Laplace continued fraction (modified Lentz). */
function erfcxContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (SQRT_PI * f);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) < 2) return erfSmall(x);
  const tail = erfc(Math.abs(x));
  return x > 0 ? 1 - tail : tail - 1;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 2) return x > -2 ? 1 - erfSmall(x) : 2 - erfc(-x);
  if (x > 27.3) return 0;
  return erfcxContinuedFraction(x) * Math.exp(-x * x);
}

/** Scaled complementary error function e^{x^2} erfc(x); finite for all large positive x. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) {
    if (x > 1e8) return 1 / (SQRT_PI * x);
    return erfcxContinuedFraction(x);
  }
  if (x > -2) return Math.exp(x * x) * (1 - erfSmall(x));
  if (x < -26.6) return Infinity;
  return 2 * Math.exp(x * x) - erfcx(-x);
}

export function normPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

export function normLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

export function normCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Phi(z), accurate far into the lower tail. */
export function normLogCdf(z: number): number {
  if (z < -1) return Math.log(0.5 * erfcx(-z / SQRT2)) - 0.5 * z * z;
  return Math.log1p(-0.5 * erfc(z / SQRT2));
}

/** log(1 - e^x) for x < 0 without cancellation (Maechler 2012). */
export function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/** Quantile of the standard normal (Acklam's rational start plus one Halley step on erfc). */
export function normQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = normCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
  return x - u / (1 + (x * u) / 2);
}

const ASYMPTOTIC_COEFFS = [1, -3, 15, -105, 945, -10395, 135135, -2027025, 34459425, -654729075];
const LOG_SQRT_HALF_PI = 0.5 * Math.log(Math.PI / 2);

/**
 * log(h(z) / phi(z)) for z <= -1, where h(z) = phi(z) + z Phi(z) is the expected improvement of a
 * standard normal over z. Mid range: log1mexp(log(|z| erfcx(|z|/sqrt2)) + log sqrt(pi/2)) as in
 * Ament et al. (2023); deep tail: the asymptotic series h/phi ~ z^-2 (1 - 3 z^-2 + 15 z^-4 ...).
 */
function logHOverPhi(z: number): number {
  const x = -z;
  if (x < 25) return log1mexp(Math.log(x * erfcx(x / SQRT2)) + LOG_SQRT_HALF_PI);
  const w = 1 / (x * x);
  let sum = 0, pow = 1;
  for (const c of ASYMPTOTIC_COEFFS) {
    sum += c * pow;
    pow *= w;
  }
  return -2 * Math.log(x) + Math.log(sum);
}

/**
 * log h(z) with h(z) = phi(z) + z Phi(z), and its derivative d log h / dz = Phi(z) / h(z).
 * Finite and monotone for every finite z (log EI = log h(z) + log sigma).
 */
export function logH(z: number): { value: number; slope: number } {
  if (z > -1) {
    const pdf = normPdf(z);
    const cdf = normCdf(z);
    const h = pdf + z * cdf;
    return { value: Math.log(h), slope: cdf / h };
  }
  const lr = logHOverPhi(z);
  // Phi(z)/h(z) = [erfcx(-z/sqrt2) sqrt(pi/2)] / (h/phi): the Gaussian factors cancel exactly.
  const slope = (erfcx(-z / SQRT2) * Math.sqrt(Math.PI / 2)) / Math.exp(lr);
  return { value: normLogPdf(z) + lr, slope };
}
