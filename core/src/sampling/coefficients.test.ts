import { describe, expect, it } from 'vitest';
import { gaussLegendre, phiFunctions, relaxationFactor, solveDense, updateCoefficients, type NodeInfo } from './coefficients';
import { getNoiseSchedule } from './noise-schedules';

describe('phi functions', () => {
  it('match the closed forms for moderate z and stay accurate for tiny z', () => {
    for (const z of [-3, -1.5, -0.3, 0.7, 1.9, 2.5, 6]) {
      const [p1, p2, p3] = phiFunctions(z, 3);
      expect(p1).toBeCloseTo(Math.expm1(z) / z, 14);
      expect(p2).toBeCloseTo((Math.expm1(z) - z) / (z * z), 13);
      expect(p3).toBeCloseTo((Math.expm1(z) - z - (z * z) / 2) / z ** 3, 11);
    }
    // phi_k(z) = 1/k! + z/(k+1)! + O(z^2): the recursion alone would lose every digit here.
    const z = 1e-9;
    const [q1, q2, q3, q4] = phiFunctions(z, 4);
    expect(Math.abs(q1 - (1 + z / 2)) / q1).toBeLessThan(1e-15);
    expect(Math.abs(q2 - (1 / 2 + z / 6)) / q2).toBeLessThan(1e-15);
    expect(Math.abs(q3 - (1 / 6 + z / 24)) / q3).toBeLessThan(1e-15);
    expect(Math.abs(q4 - (1 / 24 + z / 120)) / q4).toBeLessThan(1e-15);
    // continuity across the series/recursion switch
    const a = phiFunctions(1.999999999, 5), b = phiFunctions(2.000000001, 5);
    for (let k = 0; k < 5; k++) expect(Math.abs(a[k] - b[k]) / a[k]).toBeLessThan(1e-8);
  });
});

describe('numerical helpers', () => {
  it('solveDense solves a pivoting-needing system', () => {
    expect(solveDense([[0, 1], [2, 3]], [4, 14]).map((v) => +v.toFixed(12))).toEqual([1, 4]);
  });
  it('gaussLegendre integrates degree-23 polynomials exactly with 12 nodes', () => {
    const { nodes, weights } = gaussLegendre(12);
    let s = 0;
    for (let i = 0; i < 12; i++) s += weights[i] * nodes[i] ** 22;
    expect(s).toBeCloseTo(2 / 23, 14);
  });
  it('relaxation factors tend to 1 as h -> 0 (they are 1 + O(h) rescalings)', () => {
    for (const r of ['dpmsolver-2', 'unipc-bh1', 'unipc-bh2'] as const) {
      expect(relaxationFactor(r, 1e-6, 1e-6)).toBeCloseTo(1, 6);
      expect(relaxationFactor(r, 1e-6, -1e-6)).toBeCloseTo(1, 6);
    }
    expect(relaxationFactor('linear', 0.5, -0.5, 0.2)).toBeCloseTo(1.1, 15);
    // dpmsolver-3m leaves first derivatives alone (it acts on the second, in order-3 updates)
    expect(relaxationFactor('dpmsolver-3m', 0.5, -0.5)).toBe(1);
  });
});

describe('update coefficients', () => {
  const ns = getNoiseSchedule('vp-linear');
  const node = (t: number): NodeInfo => ({ t, lambda: ns.lambda(t) });

  it('order 1 is DDIM in both forms', () => {
    const s = node(0.6), t = node(0.4);
    const h = t.lambda - s.lambda;
    const noise = updateCoefficients(ns, { prediction: 'noise', order: 1, interpolation: 'lambda', relaxation: 'none', start: s, target: t, points: [] });
    expect(noise.xCoef).toBeCloseTo(ns.alpha(0.4) / ns.alpha(0.6), 14);
    expect(noise.startWeight).toBeCloseTo(-ns.sigma(0.4) * Math.expm1(h), 14);
    const data = updateCoefficients(ns, { prediction: 'data', order: 1, interpolation: 'lambda', relaxation: 'none', start: s, target: t, points: [] });
    expect(data.xCoef).toBeCloseTo(ns.sigma(0.4) / ns.sigma(0.6), 14);
    expect(data.startWeight).toBeCloseTo(-ns.alpha(0.4) * Math.expm1(-h), 14);
  });

  it('time interpolation at order 1 reduces to the same first-order update in both forms', () => {
    const s = node(0.9), t = node(0.2);
    for (const prediction of ['noise', 'data'] as const) {
      const viaLambda = updateCoefficients(ns, { prediction, order: 1, interpolation: 'lambda', relaxation: 'none', start: s, target: t, points: [] });
      const viaTime = updateCoefficients(ns, { prediction, order: 1, interpolation: 'time', relaxation: 'none', start: s, target: t, points: [] });
      expect(viaTime.xCoef).toBe(viaLambda.xCoef);
      expect(viaTime.startWeight).toBeCloseTo(viaLambda.startWeight, 13);
    }
  });

  it('integrates polynomials in lambda exactly: weights reproduce the exact integral of f = lambda^2', () => {
    const s = node(0.5), t = node(0.3), p1 = node(0.6), p2 = node(0.7);
    const h = t.lambda - s.lambda;
    const c = updateCoefficients(ns, { prediction: 'noise', order: 3, interpolation: 'lambda', relaxation: 'none', start: s, target: t, points: [p1, p2] });
    const f = (l: number) => 0.3 + 0.7 * l - 0.2 * l * l;
    const approx = c.startWeight * f(s.lambda) + c.pointWeights[0] * f(p1.lambda) + c.pointWeights[1] * f(p2.lambda);
    // exact: -alpha_t int_{ls}^{lt} e^{-l} f(l) dl, by dense Gauss-Legendre
    const { nodes, weights } = gaussLegendre(20);
    let exact = 0;
    for (let i = 0; i < 20; i++) {
      const l = s.lambda + ((nodes[i] + 1) / 2) * h;
      exact += weights[i] * (h / 2) * Math.exp(-l) * f(l);
    }
    exact *= -ns.alpha(0.3);
    expect(approx).toBeCloseTo(exact, 12);
  });

  it('dpmsolver-3m halves the second-derivative weight of order-3 updates and nothing else', () => {
    const s = node(0.5), t = node(0.3), p1 = node(0.6), p2 = node(0.7);
    const h = t.lambda - s.lambda;
    for (const prediction of ['noise', 'data'] as const) {
      const spec = { prediction, interpolation: 'lambda', start: s, target: t } as const;
      const exact = updateCoefficients(ns, { ...spec, order: 3, relaxation: 'none', points: [p1, p2] });
      const halved = updateCoefficients(ns, { ...spec, order: 3, relaxation: 'dpmsolver-3m', points: [p1, p2] });
      // On f = (lambda - lambda_s)^2 (c_2 = h^2, c_0 = c_1 = 0) only the second-derivative term acts.
      const f = (l: number) => (l - s.lambda) ** 2;
      const apply = (c: typeof exact) => c.startWeight * f(s.lambda) + c.pointWeights[0] * f(p1.lambda) + c.pointWeights[1] * f(p2.lambda);
      expect(apply(halved) / apply(exact)).toBeCloseTo(0.5, 12);
      // ... and on f linear in lambda they agree.
      const g = (l: number) => 2 - 3 * (l - s.lambda);
      const applyG = (c: typeof exact) => c.startWeight * g(s.lambda) + c.pointWeights[0] * g(p1.lambda) + c.pointWeights[1] * g(p2.lambda);
      expect(applyG(halved)).toBeCloseTo(applyG(exact), 13);
      expect(Math.abs(apply(exact))).toBeGreaterThan(1e-3 * h * h);
      // order-2 updates are untouched
      const two = (relaxation: 'none' | 'dpmsolver-3m') => updateCoefficients(ns, { ...spec, order: 2, relaxation, points: [p1] });
      expect(two('dpmsolver-3m')).toEqual(two('none'));
    }
  });

  it('time interpolation integrates polynomials in t exactly', () => {
    const s = node(0.5), t = node(0.3), p1 = node(0.6);
    const h = t.lambda - s.lambda;
    const c = updateCoefficients(ns, { prediction: 'noise', order: 2, interpolation: 'time', relaxation: 'none', start: s, target: t, points: [p1] });
    const f = (tt: number) => 1.5 - 2 * tt;
    const approx = c.startWeight * f(s.t) + c.pointWeights[0] * f(p1.t);
    const { nodes, weights } = gaussLegendre(40);
    let exact = 0;
    for (let i = 0; i < 40; i++) {
      const l = s.lambda + ((nodes[i] + 1) / 2) * h;
      exact += weights[i] * (h / 2) * Math.exp(-l) * f(ns.inverseLambda(l));
    }
    exact *= -ns.alpha(0.3);
    expect(approx).toBeCloseTo(exact, 11);
  });
});
