import { describe, expect, it } from 'vitest';
import { formatRaceProgress, formatRanking, readEvaluationSummary, readRaceProgress, significantlyWorse } from './evaluate';

const stored = {
  kind: 'evaluate',
  source: 'holdout',
  outcome: 'single-survivor',
  evaluations: 320,
  ranking: [
    { number: 2, params: { preset: 'dpmpp-2m', nfe: 10 }, mean: 0.101234, ciLow: 0.0951, ciHigh: 0.1073, n: 512, raceSamples: 160, eliminatedAtLook: null, vsBest: null },
    { number: 1, params: { preset: 'unipc-bh2', nfe: 10 }, mean: 0.1042, ciLow: 0.098, ciHigh: 0.1104, n: 512, raceSamples: 160, eliminatedAtLook: null, vsBest: { mean: 0.003, ciLow: -0.001, ciHigh: 0.007, n: 512 } },
    // As the real service returns it: NaN stored as null.
    { number: 0, params: { preset: 'ddim', nfe: 10 }, mean: 0.31, ciLow: null, ciHigh: null, n: 512, raceSamples: 64, eliminatedAtLook: 2, vsBest: { mean: 0.21, ciLow: 0.19, ciHigh: 0.23, n: 512 } },
  ],
};

describe('evaluate ranking (stepwise show)', () => {
  it('formats the ranking with intervals, paired differences, race samples and eliminations', () => {
    const summary = readEvaluationSummary(stored)!;
    const text = formatRanking(summary, { direction: 'minimize', metric: 'rmse', confidence: 0.95 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('ranking (minimize rmse; numbers from holdout seeds (never seen by the race); race outcome single-survivor, 320 race evaluations)');
    expect(lines[1].split(/\s{2,}/)).toEqual(['RANK', 'TRIAL', 'CANDIDATE', 'MEAN', '95% CI', 'N', 'VS BEST', '95% CI (VS BEST)', 'VERDICT', 'RACE SAMPLES', 'RACE']);
    const cells = (l: string) => l.trim().split(/\s{2,}/);
    expect(cells(lines[2])).toEqual(['1', '#2', 'preset=dpmpp-2m nfe=10', '0.101234', '[0.0951, 0.1073]', '512', '-', '-', 'best', '160', 'survived']);
    expect(cells(lines[3])).toEqual(['2', '#1', 'preset=unipc-bh2 nfe=10', '0.1042', '[0.098, 0.1104]', '512', '+0.003', '[-0.001, 0.007]', 'not distinguishable', '160', 'survived']);
    expect(cells(lines[4])).toEqual(['3', '#0', 'preset=ddim nfe=10', '0.31', '-', '512', '+0.21', '[0.19, 0.23]', 'significantly worse', '64', 'eliminated at look 2']);
    expect(lines[5]).toMatch(/^VS BEST: paired difference \(candidate - best\)/);
    // Columns line up: every row is as wide as the header up to the last column.
    expect(lines[2].indexOf('#2') + 2).toBe(lines[1].indexOf('TRIAL') + 'TRIAL'.length);
  });

  it('names search seeds when there was no holdout and reads maximisation the other way round', () => {
    const summary = readEvaluationSummary({ ...stored, source: 'search' })!;
    expect(formatRanking(summary, { direction: 'maximize', metric: 'score', confidence: 0.9 })).toMatch(/^ranking \(maximize score; numbers from search seeds \(the race's own; no holdout\);.*\n.*90% CI/);
    expect(significantlyWorse({ mean: -1, ciLow: -2, ciHigh: -0.5, n: 9 }, 'maximize')).toBe(true);
    expect(significantlyWorse({ mean: 1, ciLow: 0.5, ciHigh: 2, n: 9 }, 'maximize')).toBe(false);
    expect(significantlyWorse(null, 'minimize')).toBe(false);
  });

  it('reads nothing from other strategy states', () => {
    for (const v of [null, { version: 1, gp: {} }, { kind: 'evaluate', phase: 'race', race: { candidates: [] } }, { kind: 'evaluate', ranking: [{}] }]) {
      expect(readEvaluationSummary(v)).toBeNull();
    }
    expect(readRaceProgress(stored)).toBeNull();
  });

  it('prints the race so far while it runs', () => {
    const race = readRaceProgress({
      kind: 'evaluate',
      phase: 'race',
      race: { leader: '1', alive: ['1', '2'], candidates: [{ id: '0', alive: false, n: 32, mean: 0.5 }, { id: '1', alive: true, n: 64, mean: 0.1 }, { id: '2', alive: true, n: 64, mean: 0.2 }], n: 64, evaluations: 160, looks: 2 },
    })!;
    const text = formatRaceProgress(race, { direction: 'minimize', candidates: [{ preset: 'a' }, { preset: 'b' }, { preset: 'c' }] });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('race: look 2, 2 of 3 candidates alive, 64 seeds each, 160 evaluations');
    expect(lines.slice(2).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['#1', 'preset=b', '0.1', '64', 'leader'],
      ['#2', 'preset=c', '0.2', '64', 'alive'],
      ['#0', 'preset=a', '0.5', '32', 'eliminated'],
    ]);
  });
});
