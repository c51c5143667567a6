import { describe, expect, it } from 'vitest';
import { candidateLabel, liveCandidates, raceFate, readEvaluateState, verdict } from './evaluate';

const summary = {
  kind: 'evaluate',
  source: 'holdout',
  outcome: 'single-survivor',
  evaluations: 320,
  ranking: [
    { number: 2, params: { preset: 'dpmpp-2m', nfe: 10 }, mean: 0.1, ciLow: 0.09, ciHigh: 0.11, n: 512, raceSamples: 160, eliminatedAtLook: null, vsBest: null },
    // JSON of the real service: NaN became null.
    { number: 0, params: { preset: 'ddim', nfe: 10 }, mean: 0.3, ciLow: null, ciHigh: 0.32, n: 512, raceSamples: 64, eliminatedAtLook: 2, vsBest: { mean: 0.2, ciLow: 0.18, ciHigh: 0.22, n: 512 } },
  ],
};

describe('readEvaluateState', () => {
  it('reads a finished study\'s summary, turning nulls back into NaN', () => {
    const s = readEvaluateState(summary);
    if (s?.phase !== 'done') throw new Error('expected a summary');
    expect(s.summary.source).toBe('holdout');
    expect(s.summary.ranking.map((r) => r.number)).toEqual([2, 0]);
    expect(s.summary.ranking[1].ciLow).toBeNaN();
    expect(s.summary.ranking[1].eliminatedAtLook).toBe(2);
  });

  it('reads the race status of a running study', () => {
    const s = readEvaluateState({
      kind: 'evaluate',
      phase: 'race',
      race: { leader: '1', alive: ['1', '2'], candidates: [{ id: '0', alive: false, n: 32, mean: 0.5 }, { id: '1', alive: true, n: 64, mean: 0.1 }, { id: '2', alive: true, n: 64, mean: 0.2 }], n: 64, evaluations: 160, looks: 2 },
    });
    if (s?.phase !== 'race') throw new Error('expected a race');
    expect(s.race.alive).toEqual(['1', '2']);
    const rows = liveCandidates(s.race, 'minimize', [{ preset: 'a' }, { preset: 'b' }, { preset: 'c' }]);
    expect(rows.map((r) => [r.id, r.alive, r.leader, r.params?.preset])).toEqual([
      ['1', true, true, 'b'],
      ['2', true, false, 'c'],
      ['0', false, false, 'a'],
    ]);
    expect(liveCandidates(s.race, 'maximize').map((r) => r.id)).toEqual(['2', '1', '0']);
  });

  it('is null for other strategies, nothing, or malformed state', () => {
    for (const v of [null, undefined, 'x', [], { version: 1, gp: {} }, { kind: 'evaluate' }, { kind: 'evaluate', ranking: [{ mean: 1 }] }, { kind: 'evaluate', phase: 'race', race: {} }]) {
      expect(readEvaluateState(v)).toBeNull();
    }
  });
});

describe('ranking helpers', () => {
  it('calls a difference significant only when its interval excludes 0 on the losing side', () => {
    expect(verdict(null, 'minimize')).toBe('best');
    expect(verdict({ mean: 0.2, ciLow: 0.1, ciHigh: 0.3, n: 10 }, 'minimize')).toBe('worse');
    expect(verdict({ mean: 0.05, ciLow: -0.1, ciHigh: 0.2, n: 10 }, 'minimize')).toBe('indistinguishable');
    expect(verdict({ mean: -0.2, ciLow: -0.3, ciHigh: -0.1, n: 10 }, 'maximize')).toBe('worse');
    expect(verdict({ mean: 0.2, ciLow: 0.1, ciHigh: 0.3, n: 10 }, 'maximize')).toBe('better');
    expect(verdict({ mean: 0.2, ciLow: Number.NaN, ciHigh: 0.3, n: 1 }, 'minimize')).toBe('unknown');
  });

  it('labels candidates and their fate in the race', () => {
    expect(candidateLabel({ preset: 'ddim', nfe: 10 })).toBe('preset=ddim nfe=10');
    expect(raceFate({ eliminatedAtLook: 3 })).toBe('eliminated at look 3');
    expect(raceFate({ eliminatedAtLook: null })).toBe('survived');
  });
});
