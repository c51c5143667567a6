import { describe, expect, it } from 'vitest';
import { nfeSeries, variesNfe, type TrialLike } from './nfe';

const sampler = { type: 'sampler', nfe: 10, preset: 'dpmpp-2m', spacing: 'logSNR' };

describe('variesNfe', () => {
  it('is true for sampler studies that search nfe or whose candidates differ in it', () => {
    expect(variesNfe({ kind: 'grid', objective: sampler, space: [{ name: 'nfe', type: 'categorical', choices: [4, 8] }] })).toBe(true);
    expect(variesNfe({ kind: 'random', objective: sampler, space: [{ name: 'nfe', type: 'int', low: 4, high: 20 }] })).toBe(true);
    expect(variesNfe({ kind: 'evaluate', objective: sampler, candidates: [{ preset: 'ddim' }, { preset: 'ddim', nfe: 20 }] })).toBe(true);
  });

  it('is false otherwise', () => {
    expect(variesNfe({ kind: 'grid', objective: sampler, space: [{ name: 'preset', type: 'categorical', choices: ['ddim', 'dpmpp-2m'] }] })).toBe(false);
    expect(variesNfe({ kind: 'evaluate', objective: sampler, candidates: [{ preset: 'ddim' }, { preset: 'dpmpp-2m', nfe: 10 }] })).toBe(false);
    expect(variesNfe({ kind: 'random', objective: { type: 'function' }, space: [{ name: 'nfe', type: 'int', low: 1, high: 9 }] })).toBe(false);
    expect(variesNfe(null)).toBe(false);
  });
});

describe('nfeSeries', () => {
  const t = (number: number, params: TrialLike['params'], value: number | null, status = 'completed', ci?: [number, number]): TrialLike => ({
    number,
    status,
    params,
    value,
    ciLow: ci?.[0] ?? null,
    ciHigh: ci?.[1] ?? null,
    n: ci ? 64 : null,
  });

  it('draws one line per preset, sorted by NFE, with the intervals', () => {
    const d = nfeSeries(
      [
        t(0, { preset: 'ddim', nfe: 20 }, 0.2, 'completed', [0.18, 0.22]),
        t(1, { preset: 'ddim', nfe: 5 }, 0.9, 'completed', [0.8, 1.0]),
        t(2, { preset: 'unipc-bh2', nfe: 5 }, 0.4),
        t(3, { preset: 'unipc-bh2', nfe: 10 }, null, 'running'),
        t(4, { preset: 'unipc-bh2' }, 0.1),
      ],
      { direction: 'minimize', spacing: 'logSNR' },
    );
    expect(d.series.map((s) => s.label)).toEqual(['ddim', 'unipc-bh2']);
    expect(d.series[0].points.map((p) => [p.nfe, p.value, p.ciLow, p.ciHigh, p.trial])).toEqual([
      [5, 0.9, 0.8, 1.0, 1],
      [20, 0.2, 0.18, 0.22, 0],
    ]);
    expect(d.series[1].points.map((p) => p.nfe)).toEqual([5]);
    expect(d.nfes).toEqual([5, 20]);
    expect(d.reduced).toBe(false);
    expect(d.nonPositive).toBe(false);
  });

  it('splits by spacing when it varies, falls back to the objective preset, keeps the best of duplicates', () => {
    const d = nfeSeries(
      [
        t(0, { nfe: 4, spacing: 'logSNR' }, 0.5),
        t(1, { nfe: 4, spacing: 'time-uniform' }, 0.6),
        t(2, { nfe: 4, spacing: 'logSNR', guidance: 2 }, 0.3),
        t(3, { nfe: 8, spacing: 'logSNR' }, -0.1),
      ],
      { direction: 'minimize', preset: 'dpmpp-2m' },
    );
    expect(d.series.map((s) => s.label)).toEqual(['dpmpp-2m · logSNR', 'dpmpp-2m · time-uniform']);
    expect(d.series[0].points.map((p) => [p.nfe, p.trial])).toEqual([
      [4, 2],
      [8, 3],
    ]);
    expect(d.reduced).toBe(true);
    expect(d.nonPositive).toBe(true);
    const max = nfeSeries([t(0, { nfe: 4 }, 0.5), t(1, { nfe: 4 }, 0.7)], { direction: 'maximize', preset: 'ddim' });
    expect(max.series[0].points[0].trial).toBe(1);
  });
});
