import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZSamplerObjective } from '@stepwise/core';
import { createSamplerEvaluator, InvalidSamplerInput } from './sampler-block';

/**
 * dpm-solver-v3 and dc-solver through the sampler block (real ONNX model, gmm-2d): statistics
 * computed from the calibration stream on first use and cached, the cascade regression for an NFE
 * that was not fitted, and settings the solver cannot run refused as bad input.
 */
describe('statistics-based presets in the sampler block', () => {
  const modelDir = mkdtempSync(join(tmpdir(), 'stat-presets-'));
  const evaluate = createSamplerEvaluator({ modelDir, device: 'cpu' });
  const objective = (o: Record<string, unknown>) => ZSamplerObjective.parse({ type: 'sampler', model: 'gmm-2d', metric: 'rmse', ...o });
  const files = () => readdirSync(join(modelDir, 'stats')).flatMap((sha) => readdirSync(join(modelDir, 'stats', sha))).sort();

  it('scores blocks with finite values and reports their NFE; the statistics are computed once', async () => {
    const phases: string[] = [];
    for (const preset of ['dpm-solver-v3', 'dc-solver']) {
      const o = objective({ preset, nfe: 6, calibration: { emsSamples: 32, emsGrid: 24 } });
      const r = await evaluate(o, 7, 0, 32, (p) => phases.push(p));
      expect(r.nfe).toBe(6);
      expect(r.values.length === 32 && r.values.every(Number.isFinite)).toBe(true);
      // The same block again comes from the cache: same values, no new statistics.
      const before = files().length;
      expect(Array.from((await evaluate(o, 7, 0, 32)).values)).toEqual(Array.from(r.values));
      expect(files().length).toBe(before);
    }
    expect(phases).toContain('calibrate');
    expect(files()).toEqual(['dc-logSNR-nfe6-10-2147483648-r0.5-1.5.json', 'ems-24-32-2147483648.json']);
  }, 120_000);

  it('with calibration.dcFitNfes an NFE outside the list gets ratios from the cascade regression of the fitted ones', async () => {
    const o = objective({ preset: 'dc-solver', nfe: 7, calibration: { dcFitNfes: [5, 9] } });
    const r = await evaluate(o, 7, 0, 16);
    expect(r.values.every(Number.isFinite)).toBe(true);
    const dc = files().filter((f) => f.startsWith('dc-'));
    expect(dc).toEqual(expect.arrayContaining(['dc-logSNR-nfe5-10-2147483648-r0.5-1.5.json', 'dc-logSNR-nfe9-10-2147483648-r0.5-1.5.json']));
    expect(dc.some((f) => f.includes('nfe7'))).toBe(false);
  }, 120_000);

  it('refuses an NFE the EMS grid cannot resolve as bad input naming the fields', async () => {
    const o = objective({ preset: 'dpm-solver-v3', nfe: 40, calibration: { emsSamples: 32, emsGrid: 24 } });
    const err = await evaluate(o, 7, 0, 8).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidSamplerInput);
    expect(err.message).toMatch(/^objective\.nfe: .*same EMS grid point.*calibration\.emsGrid/);
  }, 60_000);
});
