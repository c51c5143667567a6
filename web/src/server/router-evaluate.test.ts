import { describe, expect, it } from 'vitest';
import type { TStudyConfigInput } from '@stepwise/core';
import { routerFixture } from './testing/caller';
import { readEvaluateState } from '../lib/evaluate';
import { variesNfe } from '../lib/nfe';

const evaluateConfig: TStudyConfigInput = {
  name: 'race',
  kind: 'evaluate',
  objective: { type: 'sampler', model: 'gmm-2d', metric: 'rmse', estimation: { minSamples: 32, maxSamples: 512, blockSize: 32 } },
  candidates: [
    { preset: 'ddim', nfe: 4 },
    { preset: 'ddim', nfe: 40 },
    { preset: 'dpmpp-2m', nfe: 10 },
    { preset: 'dpmpp-2m', nfe: 40 },
  ],
  holdout: { start: 10_000, size: 256 },
  budget: { trials: 4, parallel: 4 },
  seed: 1,
};

const setup = routerFixture;

describe('studies.get → strategy', () => {
  it('passes the service strategy state through unchanged, and null when there is none', async () => {
    const { service, caller } = setup();
    const s = await caller.studies.launch({ config: { name: 'b', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 4 } } });
    expect((await caller.studies.get({ id: s.id })).strategy).toBeNull();

    const state = { kind: 'evaluate', source: 'search', outcome: 'cap', evaluations: 64, ranking: [], extra: { nested: [1, 2] } };
    const real = service.getStudy.bind(service);
    service.getStudy = async (id) => ({ ...(await real(id)), strategy: state });
    expect((await caller.studies.get({ id: s.id })).strategy).toEqual(state);
  });

  it('shows an evaluate study\'s race while it runs and its ranking once it has finished', async () => {
    const { caller, now } = setup();
    const s = await caller.studies.launch({ config: evaluateConfig });
    expect(s.trialsTotal).toBe(4);
    expect((await caller.studies.get({ id: s.id })).strategy).toBeNull();

    now.t += 150; // one look done
    const running = await caller.studies.get({ id: s.id });
    expect(running.status).toBe('running');
    const race = readEvaluateState(running.strategy);
    expect(race?.phase).toBe('race');
    if (race?.phase !== 'race') throw new Error('unreachable');
    expect(race.race.candidates.map((c) => c.id)).toEqual(['0', '1', '2', '3']);
    expect(race.race.n).toBe(32);

    now.t += 100 * 100;
    const done = await caller.studies.get({ id: s.id });
    expect(done.status).toBe('completed');
    const final = readEvaluateState(done.strategy);
    if (final?.phase !== 'done') throw new Error(`expected a summary, got ${JSON.stringify(done.strategy)}`);
    const { summary } = final;
    expect(summary.source).toBe('holdout');
    expect(summary.ranking).toHaveLength(4);
    expect(summary.ranking[0].vsBest).toBeNull();
    expect(summary.ranking.slice(1).every((r) => r.vsBest !== null && r.vsBest.n === 256)).toBe(true);
    // Ranked by mean; the study's best trial is the top of the ranking.
    const means = summary.ranking.map((r) => r.mean);
    expect([...means].sort((a, b) => a - b)).toEqual(means);
    expect(done.bestTrialNumber).toBe(summary.ranking[0].number);
    // Every trial carries its candidate's params and final numbers.
    const trials = await caller.trials.list({ studyId: s.id, limit: 10 });
    expect(trials.items.map((t) => t.params)).toEqual(evaluateConfig.candidates);
    expect(trials.items.every((t) => t.status === 'completed' && t.n === 256)).toBe(true);
    expect(variesNfe(done.config)).toBe(true);
  });
});
