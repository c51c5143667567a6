import { describe, expect, it } from 'vitest';
import { ValidationError } from './service-types';
import { parseStudyConfig } from './parse-study-config';
import { closestKey } from './unknown-keys';

const base = { name: 'n', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 4 } };
const evaluate = (candidates: unknown[]) => ({
  name: 'e', kind: 'evaluate', budget: { trials: 2 }, candidates,
  objective: { type: 'sampler', model: 'gmm-2d' },
});

function issuesOf(raw: unknown, prefix = ''): Array<{ field: string; message: string }> {
  try {
    parseStudyConfig(raw, prefix);
  } catch (e) {
    if (e instanceof ValidationError) return e.issues;
    throw e;
  }
  return [];
}

describe('parseStudyConfig', () => {
  it('accepts a valid config', () => {
    expect(issuesOf(base)).toEqual([]);
  });

  it('names unknown keys at any depth, with the closest known key', () => {
    const issues = issuesOf({ ...base, sed: 3, budget: { trials: 4, paralel: 8 }, objective: { ...base.objective, noise_std: 0.1 } });
    expect(issues).toEqual([
      { field: 'objective.noise_std', message: 'unknown key "noise_std"; did you mean "noiseStd"?' },
      { field: 'budget.paralel', message: 'unknown key "paralel"; did you mean "parallel"?' },
      { field: 'sed', message: 'unknown key "sed"; did you mean "seed"?' },
    ]);
  });

  it('lists the known keys when nothing is close, and prefixes a template', () => {
    const [issue] = issuesOf({ ...base, budget: { trials: 4, wibble: 1 } }, 'template');
    expect(issue.field).toBe('template.budget.wibble');
    expect(issue.message).toMatch(/^unknown key "wibble"; the keys here are trials, parallel, batchSize, targetValue$/);
  });

  it('follows arrays and discriminated unions (space params, sampler estimation)', () => {
    const issues = issuesOf({
      ...base,
      objective: { type: 'sampler', model: 'gmm-2d', estimation: { maxSample: 10 } },
      space: [{ type: 'int', name: 'nfe', low: 2, high: 4, gridPoint: 3 }],
    });
    expect(issues.map((i) => i.field)).toEqual(['objective.estimation.maxSample', 'space.0.gridPoint']);
    expect(issues[0].message).toMatch(/did you mean "maxSamples"/);
  });

  it('checks every evaluate candidate against the sampler schema', () => {
    const issues = issuesOf(evaluate([{ preset: 'ddim', nfe: 10 }, { preset: 'dpmpp-9m', nfe: 0 }]));
    expect(issues.map((i) => i.field)).toEqual(['candidates.1.preset', 'candidates.1.nfe']);
    // Named by the schema itself (core checks candidates) or by sampler-overrides.ts: either way the field and the valid values.
    expect(issues[0].message).toMatch(/ddim.*dpmpp-2m/);
    expect(issues[1].message).toMatch(/>=\s*1/);
  });

  it('checks search-space values that override sampler fields', () => {
    const issues = issuesOf({
      ...base,
      objective: { type: 'sampler', model: 'gmm-2d' },
      space: [
        { type: 'int', name: 'nfe', low: 0, high: 5000 },
        { type: 'categorical', name: 'preset', choices: ['ddim', 'nope'] },
        { type: 'float', name: 'label', low: 0, high: 3 },
      ],
    });
    expect(issues.map((i) => i.field)).toEqual(['space.0.low', 'space.0.high', 'space.1.choices.1', 'space.2.type']);
  });

  it('suggests only close keys', () => {
    expect(closestKey('paralel', ['parallel', 'trials'])).toBe('parallel');
    expect(closestKey('zzz', ['parallel', 'trials'])).toBeNull();
  });
});
