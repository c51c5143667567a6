import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from './lbfgs';
import { minimizePositive } from './transforms';

function rosenbrock(x: Float64Array, g: Float64Array): number {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * x[i] * a - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

describe('minimizeLbfgs', () => {
  it('finds the 2-D Rosenbrock minimum from the classic start', () => {
    const r = minimizeLbfgs(rosenbrock, [-1.2, 1], { gtol: 1e-9, ftol: 0 });
    expect(r.converged).toBe(true);
    expect(r.f).toBeLessThan(1e-12);
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
    expect(r.iterations).toBeLessThan(100);
  });

  it('finds the 10-D Rosenbrock minimum', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const r = minimizeLbfgs(rosenbrock, x0, { gtol: 1e-8, ftol: 0, maxIter: 500 });
    expect(r.f).toBeLessThan(1e-10);
    for (const v of r.x) expect(v).toBeCloseTo(1, 4);
  });

  it('respects bounds and stops on the active constraint', () => {
    // Rosenbrock restricted to x <= 0.5: the constrained minimiser lies on the bound x0 = 0.5.
    const r = minimizeLbfgs(rosenbrock, [-1.2, 1], { upper: [0.5, 10], lower: [-2, -2], gtol: 1e-9 });
    expect(r.x[0]).toBe(0.5);
    expect(r.x[1]).toBeCloseTo(0.25, 5);
    for (const v of r.x) expect(v).toBeLessThanOrEqual(10);
  });

  it('minimises a quadratic whose minimum is outside the box at the box corner', () => {
    const f = (x: Float64Array, g: Float64Array) => {
      g[0] = 2 * (x[0] - 3);
      g[1] = 2 * (x[1] + 2);
      return (x[0] - 3) ** 2 + (x[1] + 2) ** 2;
    };
    const r = minimizeLbfgs(f, [0.5, 0.5], { lower: [0, 0], upper: [1, 1] });
    expect(Array.from(r.x)).toEqual([1, 0]);
    expect(r.converged).toBe(true);
  });

  it('optimises positive parameters in log space', () => {
    // Minimum of (log p - log 7)^2 + (p2 - 0.01)^2 / 1e-4 over positive p.
    const r = minimizePositive(
      (p, g) => {
        const a = Math.log(p[0]) - Math.log(7);
        g[0] = (2 * a) / p[0];
        g[1] = (2 * (p[1] - 0.01)) / 1e-4;
        return a * a + (p[1] - 0.01) ** 2 / 1e-4;
      },
      [1, 1],
    );
    expect(r.x[0]).toBeCloseTo(7, 4);
    expect(r.x[1]).toBeCloseTo(0.01, 6);
  });

  it('stops on an absolute decrease tolerance and honours a short first step', () => {
    const loose = minimizeLbfgs(rosenbrock, [-1.2, 1], { fatol: 1, ftol: 0, gtol: 0 });
    const tight = minimizeLbfgs(rosenbrock, [-1.2, 1], { ftol: 0, gtol: 1e-9 });
    expect(loose.reason).toBe('ftol');
    expect(loose.iterations).toBeLessThan(tight.iterations);
    const seen: number[] = [];
    minimizeLbfgs((x, g) => { seen.push(x[0]); return rosenbrock(x, g); }, [-1.2, 1], { initialStep: 0.01, maxIter: 1 });
    // The first trial point moved the start by at most 0.01 in total.
    expect(Math.abs(seen[1] + 1.2)).toBeLessThanOrEqual(0.01 + 1e-12);
  });

  it('backs off from non-finite values', () => {
    // log barrier: undefined for x <= 0, minimum at x = 1.
    const f = (x: Float64Array, g: Float64Array) => {
      if (x[0] <= 0) return NaN;
      g[0] = 1 - 1 / x[0];
      return x[0] - Math.log(x[0]);
    };
    const r = minimizeLbfgs(f, [0.01]);
    expect(r.x[0]).toBeCloseTo(1, 5);
  });
});
