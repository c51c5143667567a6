import { describe, expect, it } from 'vitest';
import { formatS3Report, newStageLines } from './s3';

const view = {
  model: { noiseSchedule: 'vp-linear', dim: 2 },
  groups: [{ nfe: 4, baselines: { total: 84, completed: 84, best: { trial: 7, value: 0.08, ciLow: null, ciHigh: null, label: 'unipc-bh2 · logSNR' } }, search: { total: 24, completed: 24, best: null }, select: { total: 0, completed: 0 }, holdout: { total: 0, completed: 0 } }],
  stages: [
    { stage: -1, nfe: 4, evaluations: 0, best: 0.08, bestTrial: 7, predictor: null },
    { stage: 0, nfe: 4, evaluations: 24, best: 0.06, bestTrial: 90, predictor: { name: 'gp', heldOutSpearman: 0.81, heldOutKendall: 0.62, trainSize: 84 } },
  ],
  report: [{
    nfe: 4, seeds: 2048, confidence: 0.95, evaluations: 96, baselinesCompared: 84, baselineFinalists: 8,
    baseline: { trial: 190, label: 'unipc-bh2 · time-quadratic · p2', holdout: 0.0763, selectionTrial: 182 },
    searched: { trial: 191, holdout: 0.0547, selectionTrial: 180 },
    difference: { mean: -0.0216, ciLow: -0.0265, ciHigh: -0.0167, correlation: 0.4, varianceRatio: 1.5 },
    improvement: { value: 0.2828, ciLow: 0.2341, ciHigh: 0.3316 },
  }],
  winners: [],
};

describe('s3 CLI lines', () => {
  it('prints each stage record once, with the gap to the best baseline and the predictor quality', () => {
    const printed = new Set<string>();
    const lines = newStageLines(view as never, printed);
    expect(lines).toEqual([
      'baselines · NFE 4: best tuned baseline 0.08 (unipc-bh2 · logSNR) of 84',
      'stage 1 · NFE 4: best 0.06 (trial #90, 24 evaluations) · 25.0% below the best baseline · predictor ρ 0.81 (n=84)',
    ]);
    expect(newStageLines(view as never, printed)).toEqual([]);
  });

  it('formats the holdout report with the paired interval', () => {
    expect(formatS3Report(view as never)).toContain('NFE 4: searched 0.0547 vs unipc-bh2 · time-quadratic · p2 0.0763 → 28.3% lower [23.4%, 33.2%] after 96 evaluations (best of 84 baselines)');
  });
});

describe('stepwise s3 export', () => {
  it('writes a preset baseline (no schedule) as its sampler settings, apart from the schedule files', async () => {
    const { mkdtemp, readFile, readdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { exportS3Schedules } = await import('./s3');
    const { buildPresetSchedule } = await import('@stepwise/core');
    const searched = buildPresetSchedule('unipc-bh2', 4, { noiseSchedule: 'vp-linear' });
    const preset = { preset: 'dc-solver', nfe: 4, spacing: 'karras', rho: 7 };
    const s3View = { ...view, winners: [{ nfe: 4, searched, baseline: null, baselinePreset: preset }] };
    const client = { studies: { s3: { query: async () => s3View } } };
    const dir = await mkdtemp(join(tmpdir(), 's3-export-'));
    const files = await exportS3Schedules(client as never, 'x', dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['nfe-4-searched.json', 'nfe-4-baseline-preset.json']);
    expect((await readdir(dir)).sort()).toEqual(['nfe-4-baseline-preset.json', 'nfe-4-searched.json']);
    expect(JSON.parse(await readFile(join(dir, 'nfe-4-baseline-preset.json'), 'utf8'))).toEqual(preset);
  });
});

describe('stepwise sample --schedule', () => {
  it('reads a schedule file with the schema and takes its NFE', async () => {
    const { parseScheduleText, sampleRequest } = await import('./sample');
    const { buildPresetSchedule } = await import('@stepwise/core');
    const schedule = buildPresetSchedule('unipc-bh2', 5, { noiseSchedule: 'vp-linear' });
    const parsed = parseScheduleText(JSON.stringify(schedule), 's.json');
    const req = sampleRequest({ model: 'gmm-2d', count: 4, seed: 0, out: 'x.png', schedule: parsed }, {});
    expect(req.nfe).toBe(5);
    expect(req.schedule).toEqual(parsed);
    expect(() => parseScheduleText('{"steps": 3}', 'bad.json')).toThrow(/^--schedule: bad.json: /);
    expect(() => parseScheduleText('nope', 'bad.json')).toThrow(/bad.json is not JSON/);
    expect(() => sampleRequest({ model: 'gmm-2d', count: 4, seed: 0, out: 'x.png' }, {})).toThrow(/--preset and --nfe, or a whole schedule/);
    expect(() => sampleRequest({ model: 'gmm-2d', preset: 'ddim', count: 4, seed: 0, out: 'x.png', schedule: parsed }, {})).toThrow(/replaces --preset/);
  });
});
