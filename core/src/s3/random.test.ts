import { describe, expect, it } from 'vitest';
import { CounterRng } from '../rng';
import { ZSolverSchedule, scheduleTimesteps } from '../sampling/schedule';
import { scheduleKey } from './key';
import { randomSchedule } from './random';
import { nfeOf, parseS3Space } from './space';

describe('random S3 schedules', () => {
  it('have exactly the NFE, an explicit grid from tStart to tEnd, and depend only on the seed', () => {
    for (const nfe of [1, 2, 3, 5, 8, 13, 20]) {
      const space = parseS3Space({ nfe, noiseSchedule: 'vp-linear', tEnd: 5e-3, tStart: 0.9 });
      const a = new CounterRng(nfe, 1), b = new CounterRng(nfe, 1);
      const keys = new Set<string>();
      for (let k = 0; k < 50; k++) {
        const s = randomSchedule(space, a);
        expect(ZSolverSchedule.safeParse(s).success).toBe(true);
        expect(nfeOf(s)).toBe(nfe);
        expect(s.timesteps.spacing).toBe('explicit');
        const ts = scheduleTimesteps(s);
        expect(ts[0]).toBe(0.9);
        expect(ts[ts.length - 1]).toBe(5e-3);
        expect(scheduleKey(randomSchedule(space, b))).toBe(scheduleKey(s));
        keys.add(scheduleKey(s));
      }
      if (nfe >= 3) expect(keys.size).toBeGreaterThan(40);
    }
  });

  it('use every kind of decision the space allows', () => {
    const space = parseS3Space({ nfe: 8, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
    const rng = new CounterRng(2);
    const seen = new Set<string>();
    for (let k = 0; k < 300; k++) {
      const s = randomSchedule(space, rng);
      if (s.analyticFirstStep) seen.add('afs');
      for (const st of s.steps) {
        seen.add(st.prediction);
        seen.add(`order${st.order}`);
        seen.add(st.relaxation);
        if (st.corrector) seen.add('corrector');
        if (st.intermediate.length) seen.add('intermediate');
      }
    }
    for (const x of ['afs', 'noise', 'data', 'order1', 'order2', 'order3', 'corrector', 'intermediate', 'unipc-bh2', 'dpmsolver-2']) expect(seen).toContain(x);
  });
});
