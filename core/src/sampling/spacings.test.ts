import { describe, expect, it } from 'vitest';
import { NOISE_SCHEDULE_NAMES, getNoiseSchedule } from './noise-schedules';
import { SPACING_NAMES, makeTimesteps, validateTimesteps } from './spacings';

describe.each(NOISE_SCHEDULE_NAMES)('spacings on %s', (name) => {
  const ns = getNoiseSchedule(name);

  it.each(SPACING_NAMES)('%s gives nSteps+1 strictly decreasing times from tMax to tEnd', (spacing) => {
    const ts = makeTimesteps(ns, { spacing, steps: 12 });
    expect(ts).toHaveLength(13);
    expect(ts[0]).toBe(ns.tMax);
    expect(ts[12]).toBe(ns.tMinDefault);
    for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeLessThan(ts[i - 1]);
    expect(validateTimesteps(ts, ns)).toEqual(ts);
  });

  it('logSNR is uniform in lambda', () => {
    const ts = makeTimesteps(ns, { spacing: 'logSNR', steps: 9, tEnd: 2e-3 });
    const ls = ts.map((t) => ns.lambda(t));
    const h = ls[1] - ls[0];
    for (let i = 1; i < ls.length; i++) expect(ls[i] - ls[i - 1]).toBeCloseTo(h, 8);
  });

  it('karras is uniform in (sigma/alpha)^(1/rho)', () => {
    const rho = 5;
    const ts = makeTimesteps(ns, { spacing: 'karras', steps: 8, rho });
    const u = ts.map((t) => Math.exp(-ns.lambda(t) / rho));
    for (let i = 1; i < u.length; i++) expect(u[i] - u[i - 1]).toBeCloseTo(u[1] - u[0], 8);
  });

  it('time-quadratic is uniform in sqrt(t), time-uniform in t', () => {
    const q = makeTimesteps(ns, { spacing: 'time-quadratic', steps: 6 }).map(Math.sqrt);
    for (let i = 1; i < q.length; i++) expect(q[i] - q[i - 1]).toBeCloseTo(q[1] - q[0], 12);
    const u = makeTimesteps(ns, { spacing: 'time-uniform', steps: 6, tStart: 0.8, tEnd: 0.2 });
    expect(u.map((t) => +t.toFixed(12))).toEqual([0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]);
  });
});

describe('free-form timesteps', () => {
  const ns = getNoiseSchedule('vp-linear');
  it('accepts any strictly decreasing list in (0, tMax]', () => {
    expect(validateTimesteps([1, 0.31, 0.3, 0.01], ns)).toEqual([1, 0.31, 0.3, 0.01]);
  });
  it('rejects non-decreasing, out-of-range and too-short lists with the offending index', () => {
    expect(() => validateTimesteps([1, 0.5, 0.5, 0.1], ns)).toThrow(/timestep 2 \(0.5\) is not below timestep 1/);
    expect(() => validateTimesteps([1.2, 0.5], ns)).toThrow(/timestep 0 \(1.2\) must lie in \(0, 1\]/);
    expect(() => validateTimesteps([1, 0], ns)).toThrow(/timestep 1/);
    expect(() => validateTimesteps([1], ns)).toThrow(/at least 2/);
  });
  it('rejects a bad range for generated grids', () => {
    expect(() => makeTimesteps(ns, { spacing: 'logSNR', steps: 4, tEnd: 2 })).toThrow(/tEnd/);
    expect(() => makeTimesteps(ns, { spacing: 'logSNR', steps: 0 })).toThrow(/steps/);
  });
});
