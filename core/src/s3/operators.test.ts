import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterRng, initialNoise } from '../rng';
import { createGmm, gmmDenoiser } from '../sampling/gaussian';
import { getNoiseSchedule } from '../sampling/noise-schedules';
import { ZSolverSchedule, scheduleTimesteps, type TSolverSchedule } from '../sampling/schedule';
import { planUsf, sampleUsf } from '../sampling/usf';
import { repair } from './draft';
import { S3_OPERATORS } from './operators';
import { randomSchedule } from './random';
import { presetSeeds } from './seeds';
import { nfeOf, parseS3Space, type S3Space } from './space';

const ns = getNoiseSchedule('vp-linear');
const gmm = createGmm({ weights: [0.5, 0.3, 0.2], means: [[1, -0.5], [-1, 0.8], [0.2, -1.2]], variances: [0.01, 0.02, 0.05] });
const model = gmmDenoiser<Float64Array>(gmm, ns);
const B = 4, D = 2;
const xT = new Float64Array(B * D);
for (let b = 0; b < B; b++) xT.set(initialNoise(3, b, D), b * D);

const T_END = 2e-3;
const spaces = new Map<number, S3Space>();
const spaceFor = (nfe: number) => {
  let s = spaces.get(nfe);
  if (!s) spaces.set(nfe, (s = parseS3Space({ nfe, noiseSchedule: 'vp-linear', tEnd: T_END, interpolations: ['lambda', 'time'] })));
  return s;
};
const seedCache = new Map<number, TSolverSchedule[]>();
const seedsFor = (nfe: number) => {
  let s = seedCache.get(nfe);
  if (!s) seedCache.set(nfe, (s = presetSeeds(spaceFor(nfe)).map((x) => x.schedule)));
  return s;
};

function expectMember(s: TSolverSchedule, space: S3Space) {
  const parsed = ZSolverSchedule.safeParse(s);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  expect(nfeOf(s)).toBe(space.nfe);
  expect(planUsf(s).nfe).toBe(space.nfe);
  const ts = scheduleTimesteps(s);
  expect(ts[0]).toBe(space.tStart);
  expect(ts[ts.length - 1]).toBe(space.tEnd);
  for (let k = 1; k < ts.length; k++) expect(ts[k]).toBeLessThan(ts[k - 1]);
  s.steps.forEach((st, i) => {
    for (const p of st.derivativePoints ?? []) {
      if ('prev' in p) expect(p.prev).toBeLessThanOrEqual(i);
      else expect(p.mid).toBeLessThan(st.intermediate.length);
    }
    expect(st.order).toBeLessThanOrEqual(space.maxOrder);
    expect(st.intermediate.length).toBeLessThanOrEqual(space.maxIntermediate);
  });
}

describe('S3 operators', () => {
  it('every operator x every NFE 2..20 gives a valid schedule with exactly that NFE, and it samples to finite values', async () => {
    const ops = Object.entries(S3_OPERATORS);
    let draws = 0;
    const pending: TSolverSchedule[] = [];
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 0, max: ops.length - 1 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.boolean(), (nfe, op, seed, fromSeeds) => {
        const space = spaceFor(nfe);
        const rng = new CounterRng(seed, 5);
        const parent = () => (fromSeeds && rng.uniform() < 0.5 ? seedsFor(nfe)[rng.int(seedsFor(nfe).length)] : randomSchedule(space, rng));
        let s = ops[op][1]([parent(), parent()], space, rng);
        // Chains of operators too: children of children stay valid.
        for (let k = rng.int(3); k > 0; k--) s = ops[rng.int(ops.length)][1]([s, parent()], space, rng);
        expectMember(s, space);
        draws++;
        if (draws % 4 === 0) pending.push(s);
      }),
      { numRuns: 3000, seed: 1234 },
    );
    expect(draws).toBe(3000);
    for (const s of pending) {
      const r = await sampleUsf({ model, modelInput: 'float64', xT, batch: B, dim: D, schedule: s });
      expect(r.x0.every(Number.isFinite)).toBe(true);
    }
  });

  it('covers every operator and NFE explicitly', () => {
    for (let nfe = 2; nfe <= 20; nfe++) {
      const space = spaceFor(nfe);
      for (const [, op] of Object.entries(S3_OPERATORS)) {
        const rng = new CounterRng(nfe, 9);
        for (let k = 0; k < 5; k++) expectMember(op([randomSchedule(space, rng), randomSchedule(space, rng)], space, rng), space);
      }
    }
  });

  it('repair moves any schedule into the space: tEnd, NFE, disallowed decisions', () => {
    const space = parseS3Space({ nfe: 6, noiseSchedule: 'vp-linear', tEnd: 1e-2, corrector: false, maxIntermediate: 0, predictions: ['data'], maxOrder: 2 });
    const rng = new CounterRng(1);
    const wide = parseS3Space({ nfe: 9, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
    for (let k = 0; k < 200; k++) {
      const s = repair(randomSchedule(wide, rng), space);
      expectMember(s, space);
      for (const st of s.steps) {
        expect(st.corrector).toBe(false);
        expect(st.prediction).toBe('data');
        expect(st.order).toBeLessThanOrEqual(2);
      }
    }
  });
});
