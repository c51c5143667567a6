import { describe, expect, it } from 'vitest';
import { ZStudyConfig, effectiveSpace, formatIssues } from './study';

const base = { name: 'ok', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 10 } };

function issuesOf(input: unknown): string[] {
  const r = ZStudyConfig.safeParse(input);
  if (r.success) return [];
  return formatIssues(r.error);
}

describe('study config', () => {
  it('fills defaults', () => {
    const cfg = ZStudyConfig.parse(base);
    expect(cfg.seed).toBe(0);
    expect(cfg.budget.parallel).toBe(4);
    expect(cfg.objective.direction).toBe('minimize');
    expect(effectiveSpace(cfg).map((p) => [p.name, p.type === 'float' && [p.low, p.high]])).toEqual([
      ['x1', [-5, 10]],
      ['x2', [0, 15]],
    ]);
  });

  it('names the field of every problem', () => {
    const issues = issuesOf({ ...base, name: '', budget: { trials: 0, parallel: 5000 } });
    expect(issues.some((i) => i.startsWith('name:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('budget.trials:'))).toBe(true);
    expect(issues.some((i) => i.startsWith('budget.parallel:'))).toBe(true);
  });

  it('checks the space against the function', () => {
    const issues = issuesOf({ ...base, space: [{ type: 'float', name: 'a', low: 0, high: 1 }] });
    expect(issues).toEqual(['space: branin takes 2 inputs but the space has 1 parameters']);
    expect(issuesOf({ ...base, objective: { type: 'function', function: 'hartmann6', dim: 3 } })).toEqual([
      'objective.dim: hartmann6 has dimension 6; remove dim or set it to 6',
    ]);
  });

  it('rejects inverted bounds, bad log bounds and duplicate names', () => {
    const issues = issuesOf({
      ...base,
      objective: { type: 'function', function: 'ackley', dim: 3 },
      space: [
        { type: 'float', name: 'a', low: 1, high: 0 },
        { type: 'float', name: 'b', low: 0, high: 1, log: true },
        { type: 'int', name: 'a', low: 0, high: 3 },
      ],
    });
    expect(issues).toContain('space.0.high: high (0) must be greater than low (1)');
    expect(issues).toContain('space.1.low: a log-scaled parameter needs low > 0');
    expect(issues).toContain('space.2.name: duplicate parameter name "a"');
  });

  it('refuses settings of another kind, naming the kind they belong to', () => {
    expect(issuesOf({ ...base, bayesopt: { method: 'tpe' } })[0]).toMatch(/^bayesopt: .*only apply to kind "bayesopt"/);
    expect(issuesOf({ ...base, s3: { nfe: [4] } })[0]).toMatch(/^s3: .*only apply to kind "s3"/);
  });

  describe('kind s3', () => {
    const s3 = { name: 's', kind: 's3', budget: { trials: 96 }, objective: { type: 'sampler', model: 'gmm-2d' }, s3: { nfe: [4, 5] } };

    it('accepts a sampler objective with NFE budgets and fills the protocol defaults', () => {
      const cfg = ZStudyConfig.parse(s3);
      expect(cfg.s3).toMatchObject({ nfe: [4, 5], searchSamples: 512, selectionSamples: 2048, holdoutSamples: 4096, predictor: 'gp' });
    });

    it('names each missing or misplaced piece with its fix', () => {
      expect(issuesOf({ ...s3, s3: undefined })).toEqual([expect.stringMatching(/^s3: .*at least the NFE budgets/)]);
      expect(issuesOf({ ...s3, objective: { type: 'function', function: 'branin' } })).toContainEqual(expect.stringMatching(/^objective.type: .*use a sampler objective/));
      expect(issuesOf({ ...s3, s3: { nfe: [4, 4] } })).toEqual([expect.stringMatching(/^s3.nfe: .*listed twice/)]);
      expect(issuesOf({ ...s3, s3: { nfe: [4], searchSamples: 1024, selectionSamples: 512 } })).toEqual([expect.stringMatching(/^s3.selectionSamples: .*at least searchSamples/)]);
      expect(issuesOf({ ...s3, space: [{ type: 'int', name: 'nfe', low: 4, high: 6 }] })).toContainEqual(expect.stringMatching(/^space: .*s3.space/));
      expect(issuesOf({ ...s3, s3: { nfe: [4], paralel: 2 } })[0]).toMatch(/^s3/);
      expect(issuesOf({ ...s3, objective: { ...s3.objective, tEnd: 0.002 }, s3: { nfe: [4], tEnd: 0.001 } })).toEqual([expect.stringMatching(/^s3.tEnd: .*one end time/)]);
    });
  });

  describe('holdout.thresholdout', () => {
    const sampler = {
      name: 'to', kind: 'bayesopt', budget: { trials: 8 },
      objective: { type: 'sampler', model: 'gmm-64d', estimation: { minSamples: 32, maxSamples: 64, blockSize: 32 } },
      space: [{ type: 'int', name: 'nfe', low: 4, high: 12 }],
    };
    const withTo = (thresholdout: unknown, extra: Record<string, unknown> = {}) => ({ ...sampler, ...extra, holdout: { start: 100_000, size: 64, thresholdout } });

    it('accepts a threshold and fills the budget, leaving sigma to its default (threshold / 4)', () => {
      const cfg = ZStudyConfig.parse(withTo({ threshold: 0.02 }));
      expect(cfg.holdout?.thresholdout).toEqual({ threshold: 0.02, budget: 10 });
      expect(ZStudyConfig.parse(withTo({ threshold: 0.02, sigma: 0.001, budget: 3 })).holdout?.thresholdout).toEqual({ threshold: 0.02, sigma: 0.001, budget: 3 });
    });

    it('names each bad field', () => {
      const missing = issuesOf(withTo({}));
      expect(missing).toHaveLength(1);
      expect(missing[0]).toMatch(/^holdout\.thresholdout\.threshold: give the threshold/);
      const bad = issuesOf(withTo({ threshold: -1, sigma: 0, budget: 1.5 }));
      expect(bad).toContain('holdout.thresholdout.threshold: threshold must be > 0 (metric units)');
      expect(bad).toContain('holdout.thresholdout.sigma: sigma must be > 0 (metric units)');
      expect(bad.some((i) => i.startsWith('holdout.thresholdout.budget:'))).toBe(true);
      expect(issuesOf(withTo({ threshold: 0.02, budget: 0 })).some((i) => i.startsWith('holdout.thresholdout.budget:'))).toBe(true);
      expect(issuesOf(withTo({ threshold: 'big' })).some((i) => i.startsWith('holdout.thresholdout.threshold:'))).toBe(true);
    });

    it('does not apply to evaluate studies, and the holdout still must follow the search seeds', () => {
      const evaluate = issuesOf(
        withTo({ threshold: 0.02 }, { kind: 'evaluate', space: undefined, candidates: [{ preset: 'ddim' }, { preset: 'dpmpp-2m' }] }),
      );
      expect(evaluate).toEqual([expect.stringMatching(/^holdout\.thresholdout: thresholdout guards a holdout that a grid, random or bayesopt search/)]);
      expect(issuesOf({ ...sampler, holdout: { start: 10, size: 64, thresholdout: { threshold: 0.02 } } })).toEqual([
        expect.stringMatching(/^holdout\.start: search-time seeds run up to objective\.estimation\.maxSamples \(64\)/),
      ]);
    });
  });
});
