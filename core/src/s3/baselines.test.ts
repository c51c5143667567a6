import { describe, expect, it } from 'vitest';
import { planUsf } from '../sampling/usf';
import { PRESET_NAMES } from '../sampling/presets';
import { ZSamplerObjective } from '../config/objectives';
import { getNoiseSchedule } from '../sampling/noise-schedules';
import { planDpmSolverV3 } from '../sampling/dpm-solver-v3';
import { ZS3Settings } from '../config/s3';
import { presetBaselineOf, s3Baselines, s3PresetBaselines, s3SolverParams, s3TrialObjective } from './baselines';

describe('s3Baselines', () => {
  for (const nfe of [4, 5, 6, 8, 10]) {
    it(`NFE ${nfe}: every baseline has exactly that NFE, starts at tMax and ends at the study's tEnd`, () => {
      const list = s3Baselines({ nfe, noiseSchedule: 'vp-linear', tEnd: 1e-3 });
      expect(list.length).toBeGreaterThan(100);
      for (const b of list) {
        const plan = planUsf(b.schedule);
        expect(plan.nfe, b.spec.label).toBe(nfe);
        expect(plan.timesteps[0]).toBeCloseTo(1, 12);
        expect(plan.timesteps[plan.timesteps.length - 1]).toBeCloseTo(1e-3, 12);
      }
      // Every multistep preset is there at every NFE; labels are unique.
      const presets = new Set(list.map((b) => b.spec.preset));
      for (const p of PRESET_NAMES.filter((p) => !p.startsWith('dpm-solver-'))) expect(presets.has(p), p).toBe(true);
      expect(new Set(list.map((b) => b.spec.label)).size).toBe(list.length);
    });
  }
});

describe('s3PresetBaselines (dpm-solver-v3, dc-solver)', () => {
  const base = { noiseSchedule: 'vp-linear' as const, tEnd: 1e-3, emsGrid: 120 };

  it('only when named: the default and a USF-only list give none, and s3Baselines never lists them', () => {
    expect(s3PresetBaselines({ ...base, nfe: 5 })).toEqual([]);
    expect(s3PresetBaselines({ ...base, nfe: 5, presets: ['unipc-bh2'] })).toEqual([]);
    const usf = s3Baselines({ nfe: 5, noiseSchedule: 'vp-linear', tEnd: 1e-3, presets: ['unipc-bh2', 'dc-solver', 'dpm-solver-v3'] });
    expect(usf.length).toBeGreaterThan(0);
    expect(usf.every((b) => b.spec.preset === 'unipc-bh2')).toBe(true);
    // The config accepts them now (and still refuses an unknown name, naming the choices).
    expect(ZS3Settings.parse({ nfe: [5], baselinePresets: ['unipc-bh2', 'dc-solver'] }).baselinePresets).toEqual(['unipc-bh2', 'dc-solver']);
    const bad = ZS3Settings.safeParse({ nfe: [5], baselinePresets: ['dc-solverr'] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].message).toMatch(/must be one of .*dpm-solver-v3, dc-solver/);
  });

  it('every spacing family per named preset, with the NFE and no schedule; dc-solver not below NFE 3', () => {
    const list = s3PresetBaselines({ ...base, nfe: 5, presets: ['dc-solver', 'dpm-solver-v3'] });
    expect(list.filter((b) => b.solver.preset === 'dc-solver').map((b) => b.spec.label)).toEqual([
      'dc-solver · logSNR', 'dc-solver · time-uniform', 'dc-solver · time-quadratic',
      'dc-solver · karras rho 3', 'dc-solver · karras rho 5', 'dc-solver · karras rho 7',
    ]);
    expect(list.some((b) => b.solver.preset === 'dpm-solver-v3')).toBe(true);
    for (const b of list) {
      expect(b.solver.nfe).toBe(5);
      expect('schedule' in b.solver).toBe(false);
      expect(b.solver.rho !== undefined).toBe(b.solver.spacing === 'karras');
    }
    expect(s3PresetBaselines({ ...base, nfe: 2, presets: ['dc-solver'] })).toEqual([]);
  });

  it('dpm-solver-v3 leaves out a spacing whose timesteps share an EMS grid point (the solver would refuse it)', () => {
    const fine = s3PresetBaselines({ ...base, nfe: 10, presets: ['dpm-solver-v3'] }).map((b) => b.spec.label);
    const coarse = s3PresetBaselines({ ...base, nfe: 10, emsGrid: 12, presets: ['dpm-solver-v3'] }).map((b) => b.spec.label);
    expect(fine).toContain('dpm-solver-v3 · logSNR');
    // logSNR spacing on the lambda grid never collides while the grid has at least nfe intervals.
    expect(coarse).toContain('dpm-solver-v3 · logSNR');
    expect(coarse.length).toBeLessThan(fine.length);
    // The same verdict as the solver's own check, spacing by spacing (zero statistics: only the grid matters here).
    const noise = getNoiseSchedule('vp-linear');
    for (const steps of [12, 120]) {
      const K = steps + 1;
      const ems = { version: 1 as const, noiseSchedule: 'vp-linear' as const, dim: 1, tStart: noise.tMax, tEnd: 1e-3, steps, samples: 2, l: new Float64Array(K), s: new Float64Array(K), b: new Float64Array(K) };
      const kept = new Set(s3PresetBaselines({ ...base, nfe: 10, emsGrid: steps, presets: ['dpm-solver-v3'] }).map((b) => `${b.solver.spacing}|${b.solver.rho}`));
      for (const sp of [['logSNR'], ['time-uniform'], ['time-quadratic'], ['karras', 3], ['karras', 5], ['karras', 7]] as const) {
        let refused = false;
        try {
          planDpmSolverV3(ems, { nfe: 10, spacing: sp[0], rho: sp[1] }, noise);
        } catch (err) {
          refused = /same EMS grid point/.test((err as Error).message);
        }
        expect(kept.has(`${sp[0]}|${sp[1]}`), `${steps} ${sp.join(' ')}`).toBe(!refused);
      }
    }
  });

  it('a preset baseline is evaluated by its preset (calibration kept) and never read as a schedule', () => {
    const [b] = s3PresetBaselines({ ...base, nfe: 4, presets: ['dc-solver'] });
    const params = { role: 'baseline', label: b.spec.label, ...b.solver };
    expect(presetBaselineOf(params)).toEqual(b.solver);
    expect(s3SolverParams(params)).toEqual(b.solver);
    const objective = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-2d', preset: 'unipc-bh2', nfe: 10, spacing: 'karras', rho: 7, calibration: { dcSamples: 4 } });
    const o = s3TrialObjective(objective, params, 1e-3);
    expect(o).toMatchObject({ preset: 'dc-solver', nfe: 4, spacing: 'logSNR', tEnd: 1e-3, calibration: { dcSamples: 4 } });
    expect(o.rho).toBeUndefined();
    expect(o.schedule).toBeUndefined();
    expect(ZSamplerObjective.safeParse(o).success).toBe(true);
    // A USF trial keeps its schedule, and is not a preset baseline even if a preset field is around.
    const schedule = s3Baselines({ nfe: 4, noiseSchedule: 'vp-linear', tEnd: 1e-3, presets: ['ddim'] })[0].schedule;
    const usf = { nfe: 4, role: 'baseline', schedule, preset: 'dc-solver' };
    expect(presetBaselineOf(usf)).toBeNull();
    expect(s3SolverParams(usf)).toEqual({ schedule });
    expect(s3TrialObjective(objective, usf, 1e-3).schedule).toEqual(schedule);
  });
});
