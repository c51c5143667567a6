import { describe, expect, it } from 'vitest';
import { ZSamplerObjective, ZSolverCalibration } from '../config/objectives';
import { formatIssues, ZStudyConfig } from '../config/study';
import { isStatisticalPreset, PRESET_NAMES, SAMPLER_PRESET_NAMES, STATISTICAL_PRESET_NAMES } from './presets';

/** dpm-solver-v3 and dc-solver as sampler-objective presets (issue #12): what the config accepts and refuses. */
describe('statistics-based presets in study configs', () => {
  it('a sampler objective takes them, with calibration defaults outside every study seed stream', () => {
    expect(SAMPLER_PRESET_NAMES).toEqual([...PRESET_NAMES, ...STATISTICAL_PRESET_NAMES]);
    expect(STATISTICAL_PRESET_NAMES.every(isStatisticalPreset) && !PRESET_NAMES.some(isStatisticalPreset)).toBe(true);
    const o = ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-64d', preset: 'dc-solver', calibration: {} });
    expect(o.calibration).toEqual({ seed: 2 ** 31, emsSamples: 256, emsGrid: 120, dcSamples: 10 });
    // Study seeds stop at 2^31 - 1: the default calibration stream is none of them.
    expect(ZStudyConfig.safeParse({ name: 's', kind: 'random', objective: o, space: [{ type: 'int', name: 'nfe', low: 4, high: 10 }], budget: { trials: 2 }, seed: 2 ** 31 }).success).toBe(false);
    expect(ZSolverCalibration.parse({ dcFitNfes: [4, 6, 8] }).dcFitNfes).toEqual([4, 6, 8]);
  });

  it('refuses bad calibration settings, naming the field and the fix', () => {
    const r = ZSamplerObjective.safeParse({ type: 'sampler', model: 'gmm-64d', preset: 'dpm-solver-v3', calibration: { emsSamples: 1, dcFitNfes: [2, 8, 8], emsGrid: 5 } });
    expect(r.success).toBe(false);
    const issues = formatIssues(r.error!);
    expect(issues).toEqual(expect.arrayContaining([
      'calibration.emsSamples: emsSamples must be at least 2: s and b are regressions over samples',
      'calibration.dcFitNfes.0: dcFitNfes entries must be at least 3: below that DC-Solver compensates no step',
    ]));
    expect(issues.some((i) => i.startsWith('calibration.emsGrid:'))).toBe(true);
    expect(formatIssues(ZSamplerObjective.safeParse({ type: 'sampler', model: 'gmm-64d', calibration: { dcFitNfes: [6, 6] } }).error!)).toEqual(['calibration.dcFitNfes: dcFitNfes has a repeated NFE']);
  });

  it('an s3 study takes them as baselines when named (they are opt-in: the default list is the USF presets)', () => {
    const r = ZStudyConfig.safeParse({ name: 'x', kind: 's3', objective: { type: 'sampler', model: 'gmm-64d' }, budget: { trials: 10 }, s3: { nfe: [5], baselinePresets: ['unipc-bh2', 'dc-solver'] } });
    expect(r.success).toBe(true);
    expect(r.data!.s3!.baselinePresets).toEqual(['unipc-bh2', 'dc-solver']);
    const bad = ZStudyConfig.safeParse({ name: 'x', kind: 's3', objective: { type: 'sampler', model: 'gmm-64d' }, budget: { trials: 10 }, s3: { nfe: [5], baselinePresets: ['dc'] } });
    expect(formatIssues(bad.error!)[0]).toMatch(/^s3\.baselinePresets\.0: baselinePresets entries must be one of .*dc-solver/);
  });
});
