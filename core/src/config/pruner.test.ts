import { describe, expect, it } from 'vitest';
import { ZStudyConfig, formatIssues } from './study';

/** A study-level `pruner` (issue #14, item 6): defaults, and only for command objectives. */
const command = {
  name: 'prune', kind: 'random', objective: { type: 'command', program: 'train-tiny', metric: 'val_loss' },
  space: [{ type: 'float', name: 'lr', low: 0.01, high: 1, log: true }], budget: { trials: 9 },
};

function issuesOf(input: unknown): string[] {
  const r = ZStudyConfig.safeParse(input);
  return r.success ? [] : formatIssues(r.error);
}

describe('study pruner', () => {
  it('fills each pruner type\'s defaults', () => {
    expect(ZStudyConfig.parse({ ...command, pruner: { type: 'asha' } }).pruner).toEqual({ type: 'asha', minResource: 1, reductionFactor: 3 });
    expect(ZStudyConfig.parse({ ...command, pruner: { type: 'median' } }).pruner).toEqual({ type: 'median', warmupSteps: 0, minTrials: 5 });
    expect(ZStudyConfig.parse({ ...command, pruner: { type: 'hyperband', maxResource: 27 } }).pruner).toEqual({ type: 'hyperband', minResource: 1, maxResource: 27, reductionFactor: 3 });
    expect(ZStudyConfig.parse(command).pruner).toBeUndefined();
  });

  it('is refused for other objectives, naming the field and the fix', () => {
    const issues = issuesOf({ name: 'fn', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 5 }, pruner: { type: 'asha' } });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^pruner: .*objective is "function": remove pruner or use a command objective/);
  });

  it('names the bad setting of a pruner', () => {
    expect(issuesOf({ ...command, pruner: { type: 'asha', reductionFactor: 1 } })[0]).toMatch(/^pruner\.reductionFactor:/);
    expect(issuesOf({ ...command, pruner: { type: 'hyperband', minResource: 9, maxResource: 3 } })[0]).toMatch(/^pruner\.maxResource: maxResource \(3\) must be at least minResource \(9\)/);
    expect(issuesOf({ ...command, pruner: { type: 'hyperband' } })[0]).toMatch(/^pruner\.maxResource:/);
    expect(issuesOf({ ...command, pruner: { type: 'asha', eta: 3 } })[0]).toMatch(/^pruner:.*eta/);
    expect(issuesOf({ ...command, pruner: { type: 'sha' } })[0]).toMatch(/^pruner\.type:/);
  });
});
