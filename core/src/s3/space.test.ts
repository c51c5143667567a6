import { describe, expect, it } from 'vitest';
import { buildPresetSchedule } from '../sampling/presets';
import { planUsf } from '../sampling/usf';
import { nfeOf, parseS3Space, ZS3Space } from './space';

describe('S3 search space', () => {
  it('fills defaults and resolves tStart from the noise schedule', () => {
    const s = parseS3Space({ nfe: 5, noiseSchedule: 'vp-cosine', tEnd: 1e-3 });
    expect(s.tStart).toBe(0.9946);
    expect(s.predictions).toEqual(['noise', 'data']);
    expect(s.relaxations).not.toContain('linear');
    expect(s.maxOrder).toBe(3);
  });

  it('names the field and the fix for bad input', () => {
    expect(() => parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear' })).toThrow(/tEnd: tEnd is required/);
    expect(() => parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 0.5, tStart: 0.4 })).toThrow(/tEnd: tEnd \(0.5\) must be below tStart \(0.4\)/);
    expect(() => parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3, tStart: 2 })).toThrow(/tStart: .*exceeds tMax/);
    expect(() => parseS3Space({ nfe: 0, noiseSchedule: 'vp-linear', tEnd: 1e-3 })).toThrow(/nfe: nfe must be at least 1/);
    expect(() => parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3, relaxations: ['unipc-bh2'] })).toThrow(/relaxations: .*"none"/);
    expect(() => parseS3Space({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3, predictions: ['data', 'data'] })).toThrow(/predictions: .*twice/);
    expect(ZS3Space.safeParse({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3, extra: 1 }).success).toBe(false);
  });

  it('counts NFE like planUsf', () => {
    for (const preset of ['dpm-solver-3', 'unipc-bh2', 'ddim'] as const) {
      for (const afs of [false, true]) {
        const s = { ...buildPresetSchedule(preset, 7), analyticFirstStep: afs };
        expect(nfeOf(s)).toBe(planUsf(s).nfe);
      }
    }
    expect(nfeOf({ ...buildPresetSchedule('ddim', 7), analyticFirstStep: true })).toBe(6);
  });
});
