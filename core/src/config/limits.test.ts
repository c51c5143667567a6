import { describe, expect, it } from 'vitest';
import { ZStudyConfig } from './study';
import { DEFAULT_STUDY_LIMITS, studyLimitIssues, worstCaseSamples } from './limits';

const sampler = (estimation: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ZStudyConfig.parse({
    name: 's', kind: 'random', budget: { trials: 100 }, space: [{ type: 'int', name: 'nfe', low: 2, high: 8 }],
    objective: { type: 'sampler', model: 'gmm-2d', estimation }, ...extra,
  });

describe('worst-case samples of a study', () => {
  it('counts trials x maxSamples plus the holdout (final re-evaluation and every Thresholdout query)', () => {
    const cfg = sampler({ minSamples: 64, maxSamples: 1000, blockSize: 100 }, { holdout: { start: 10_000, size: 500, thresholdout: { threshold: 0.1 } } });
    expect(worstCaseSamples(cfg)).toEqual({ trials: 100, perTrial: 1000, search: 100_000, holdout: 500 + 100 * 256, total: 126_100, perActivity: 100 });
  });

  it('counts an evaluate study per candidate, holdout included', () => {
    const cfg = ZStudyConfig.parse({
      name: 'e', kind: 'evaluate', budget: { trials: 1 }, candidates: [{ preset: 'ddim' }, { preset: 'dpmpp-2m' }, { nfe: 5 }],
      objective: { type: 'sampler', model: 'gmm-2d', estimation: { minSamples: 200, maxSamples: 2000, blockSize: 50 } }, holdout: { start: 5000, size: 1000 },
    });
    expect(worstCaseSamples(cfg)).toMatchObject({ trials: 3, search: 6000, holdout: 3000, total: 9000, perActivity: 200 });
  });

  it('counts whole sets for a set metric (at least two sets of blockSize)', () => {
    const cfg = sampler({ minSamples: 64, maxSamples: 100, blockSize: 512 }, { objective: { type: 'sampler', model: 'gmm-2d', metric: 'fd_features', featureModel: 'digits-features', estimation: { minSamples: 64, maxSamples: 100, blockSize: 512 } } });
    expect(worstCaseSamples(cfg)).toMatchObject({ perTrial: 1024, perActivity: 1024 });
  });

  it('is null for objectives that draw no samples', () => {
    expect(worstCaseSamples(ZStudyConfig.parse({ name: 'f', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 1_000_000 } }))).toBeNull();
  });
});

describe('launch-time sample caps', () => {
  it('passes the defaults of a typical study', () => {
    expect(studyLimitIssues(sampler({}))).toEqual([]);
    expect(DEFAULT_STUDY_LIMITS.maxSamplesPerActivity).toBe(65_536);
  });

  it('names budget.trials when the search can exceed the study cap, with the numbers and the fix', () => {
    const issues = studyLimitIssues(sampler({ maxSamples: 1_000_000 }, { budget: { trials: 11 } }));
    expect(issues).toEqual([{
      field: 'budget.trials',
      message: 'this study may draw up to 11,000,000 samples (budget.trials 11 x 1,000,000 samples per trial (objective.estimation.maxSamples)), above the cap of 10,000,000 per study (STEPWISE_MAX_STUDY_SAMPLES); lower budget.trials or objective.estimation.maxSamples',
    }]);
    expect(studyLimitIssues(sampler({ maxSamples: 1_000_000 }, { budget: { trials: 11 } }), { maxStudySamples: 11_000_000, maxSamplesPerActivity: 65_536 })).toEqual([]);
  });

  it('names holdout.size when the holdout is the larger part', () => {
    const issues = studyLimitIssues(sampler({ maxSamples: 100 }, { holdout: { start: 1000, size: 1_000_000 } }), { maxStudySamples: 500_000, maxSamplesPerActivity: 65_536 });
    expect(issues.map((i) => i.field)).toEqual(['holdout.size']);
    expect(issues[0].message).toContain('+ 1,000,000 holdout samples');
  });

  it('names blockSize above the per-activity cap, and minSamples when the first block is what passes it', () => {
    const limits = { maxStudySamples: 1e12, maxSamplesPerActivity: 1000 };
    expect(studyLimitIssues(sampler({ blockSize: 4096, maxSamples: 8192 }), limits)).toEqual([
      { field: 'objective.estimation.blockSize', message: 'blockSize 4,096 is above the cap of 1,000 samples per compute activity (STEPWISE_MAX_SAMPLES_PER_ACTIVITY); lower it to at most 1,000' },
    ]);
    expect(studyLimitIssues(sampler({ blockSize: 100, minSamples: 5000, maxSamples: 8192 }), limits).map((i) => i.field)).toEqual(['objective.estimation.minSamples']);
  });
});
