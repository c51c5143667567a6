import { studentTQuantile } from './distributions';
import { EstimationError, requireFinite, requireProbability } from './errors';
import type { Estimate } from './intervals';
import { multivariateStatsOf, type MultivariateStats } from './multivariate-stats';

/**
 * Regression control variates: estimate E[Y] from samples of Y and of p controls C with known
 * means mu_C (e.g. a low-NFE run of the same seed whose expectation is known or was estimated
 * cheaply to high precision). With beta the least-squares slope of Y on C from the same sample,
 *
 *   mu_hat = mean(Y) - beta' (mean(C) - mu_C)
 *
 * is the intercept of the regression evaluated at C = mu_C, so its standard error is the
 * regression one, s^2 (1/n + d' Scc^{-1} d) with d = mean(C) - mu_C and s^2 = RSS / (n - p - 1):
 * the p + 1 fitted parameters cost p + 1 degrees of freedom, and the t-quantile uses n - p - 1
 * (exact for a normal linear model, Nelson 1990; asymptotically valid otherwise, with an O(1/n)
 * bias from estimating beta on the same sample).
 */
export interface ControlVariateEstimate extends Estimate {
  readonly method: 'control-variates';
  /** Least-squares coefficients, one per control. */
  readonly coefficients: number[];
  /** The plain sample mean of Y and its standard error, for comparison. */
  readonly plainMean: number;
  readonly plainStderr: number;
  /** Estimated variance ratio var(Y) / residual variance (samples saved by about this factor); null for a perfect fit. */
  readonly varianceReduction: number | null;
  readonly rSquared: number;
  readonly df: number;
}

/** Cholesky factor of a symmetric matrix; throws `singular` naming the first collinear column. */
function cholesky(a: number[][]): number[][] {
  const p = a.length;
  const l = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    let diag = a[j][j];
    for (let k = 0; k < j; k++) diag -= l[j][k] * l[j][k];
    if (!(a[j][j] > 0 && diag > 1e-12 * a[j][j])) {
      throw new EstimationError(
        'singular',
        `control ${j} is constant or a linear combination of the controls before it; drop it`,
      );
    }
    l[j][j] = Math.sqrt(diag);
    for (let i = j + 1; i < p; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = s / l[j][j];
    }
  }
  return l;
}

/** Solve (L L') x = b. */
function choleskySolve(l: number[][], b: number[]): number[] {
  const p = l.length;
  const z = new Array<number>(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const x = new Array<number>(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/**
 * Control-variate estimate from mergeable statistics whose dimension 0 is Y and dimensions
 * 1..p are the controls (so blocks from different workers merge before the estimate).
 */
export function controlVariateFromStats(
  stats: MultivariateStats,
  controlMeans: readonly number[],
  confidence: number,
): ControlVariateEstimate {
  requireProbability(confidence, 'confidence');
  const p = stats.mean.length - 1;
  if (p < 1) throw new EstimationError('invalid-input', 'control variates need at least one control (dimension >= 2)');
  if (controlMeans.length !== p) {
    throw new EstimationError('invalid-input', `${p} controls but ${controlMeans.length} known control means`);
  }
  controlMeans.forEach((m, j) => requireFinite(m, `control mean ${j}`));
  const { n } = stats;
  const df = n - p - 1;
  if (df < 1) throw new EstimationError('insufficient-data', `${p} control(s) need at least ${p + 2} samples, got ${n}`);
  const syy = stats.comoment[0][0];
  const scc = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => stats.comoment[i + 1][j + 1]));
  const scy = Array.from({ length: p }, (_, i) => stats.comoment[i + 1][0]);
  const l = cholesky(scc);
  const beta = choleskySolve(l, scy);
  const d = controlMeans.map((m, j) => stats.mean[j + 1] - m);
  const explained = scy.reduce((s, v, j) => s + v * beta[j], 0);
  const rss = Math.max(0, syy - explained);
  const s2 = rss / df;
  const sccInvD = choleskySolve(l, d);
  const leverage = d.reduce((s, v, j) => s + v * sccInvD[j], 0);
  const mean = stats.mean[0] - d.reduce((s, v, j) => s + v * beta[j], 0);
  const stderr = Math.sqrt(s2 * (1 / n + leverage));
  const halfWidth = studentTQuantile(0.5 + confidence / 2, df) * stderr;
  const plainVariance = syy / (n - 1);
  return {
    mean,
    stderr,
    ciLow: mean - halfWidth,
    ciHigh: mean + halfWidth,
    halfWidth,
    n,
    confidence,
    method: 'control-variates',
    coefficients: beta,
    plainMean: stats.mean[0],
    plainStderr: Math.sqrt(plainVariance / n),
    varianceReduction: s2 > 0 ? plainVariance / s2 : null,
    rSquared: syy > 0 ? 1 - rss / syy : 0,
    df,
  };
}

/**
 * Control-variate estimate of E[Y] from samples y[i] and controls[j][i] (control j on sample i),
 * with known control means.
 */
export function controlVariateEstimate(
  y: ArrayLike<number>,
  controls: readonly ArrayLike<number>[],
  controlMeans: readonly number[],
  confidence: number,
): ControlVariateEstimate {
  return controlVariateFromStats(multivariateStatsOf([y, ...controls]), controlMeans, confidence);
}
