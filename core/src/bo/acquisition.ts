import { logH, normCdf, normPdf } from './special';

/**
 * Acquisition functions of the posterior at a point, for MINIMISATION in standardized units
 * (propose.ts flips maximisation problems). Each maps (mean, variance) to a value to maximise and
 * optionally its partial derivatives, which the optimiser chains with the GP's input gradients.
 */

export interface AcquisitionGrad {
  dMean: number;
  dVariance: number;
}

export interface Acquisition {
  readonly name: 'logei' | 'ucb';
  evaluate(mean: number, variance: number, grad?: AcquisitionGrad): number;
}

/**
 * log expected improvement below `best`: log E[max(best - f, 0)] = log h(z) + log sigma with
 * z = (best - mean) / sigma and h(z) = phi(z) + z Phi(z) computed in log space (Ament et al. 2023),
 * so the value and its gradient stay informative where EI itself underflows to 0.
 */
export class LogExpectedImprovement implements Acquisition {
  readonly name = 'logei' as const;
  constructor(readonly best: number) {}

  evaluate(mean: number, variance: number, grad?: AcquisitionGrad): number {
    const sigma = Math.sqrt(variance);
    const z = (this.best - mean) / sigma;
    const { value, slope } = logH(z);
    if (grad) {
      grad.dMean = -slope / sigma;
      // d/dsigma = (1 - z slope)/sigma, d sigma / d var = 1 / (2 sigma).
      grad.dVariance = (1 - z * slope) / (2 * variance);
    }
    return value + Math.log(sigma);
  }
}

/** Plain expected improvement, for reference and tests (underflows where logEI does not). */
export function expectedImprovement(best: number, mean: number, variance: number): number {
  const sigma = Math.sqrt(variance);
  const z = (best - mean) / sigma;
  return sigma * (normPdf(z) + z * normCdf(z));
}

/** Lower-confidence-bound acquisition for minimisation: beta^(1/2) sigma - mean. */
export class UpperConfidenceBound implements Acquisition {
  readonly name = 'ucb' as const;
  private readonly kappa: number;
  constructor(readonly beta: number) {
    this.kappa = Math.sqrt(beta);
  }

  evaluate(mean: number, variance: number, grad?: AcquisitionGrad): number {
    const sigma = Math.sqrt(variance);
    if (grad) {
      grad.dMean = -1;
      grad.dVariance = this.kappa / (2 * sigma);
    }
    return this.kappa * sigma - mean;
  }
}
