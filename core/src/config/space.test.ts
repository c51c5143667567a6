import { describe, expect, it } from 'vitest';
import { ZSpace, activeParams, describeCondition, isParamActive } from './space';

const issuesOf = (input: unknown): string[] => {
  const r = ZSpace.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const optimizer = { type: 'categorical', name: 'optimizer', choices: ['sgd', 'adam', 'nesterov'] };

describe('conditional parameters', () => {
  it('accept a condition on an earlier categorical, nested conditions included', () => {
    const space = ZSpace.parse([
      optimizer,
      { type: 'float', name: 'momentum', low: 0, high: 0.99, when: { param: 'optimizer', in: ['sgd', 'nesterov'] } },
      { type: 'categorical', name: 'schedule', choices: ['constant', 'cosine'], when: { param: 'optimizer', in: ['sgd'] } },
      { type: 'int', name: 'warmup', low: 0, high: 10, when: { param: 'schedule', in: ['cosine'] } },
    ]);
    expect(describeCondition(space[1])).toBe('optimizer in [sgd, nesterov]');
    expect(describeCondition(space[0])).toBeNull();
    expect(isParamActive(space, space[1], { optimizer: 'adam' })).toBe(false);
    expect(isParamActive(space, space[1], { optimizer: 'nesterov' })).toBe(true);
    // warmup needs schedule, which needs sgd: a stale schedule value under adam does not count.
    expect(activeParams(space, { optimizer: 'adam', momentum: 0.9, schedule: 'cosine', warmup: 3 })).toEqual({ optimizer: 'adam' });
    expect(activeParams(space, { optimizer: 'sgd', momentum: 0.9, schedule: 'cosine', warmup: 3 })).toEqual({ optimizer: 'sgd', momentum: 0.9, schedule: 'cosine', warmup: 3 });
  });

  it('name the field and the fix for a bad condition', () => {
    expect(issuesOf([optimizer, { type: 'float', name: 'm', low: 0, high: 1, when: { param: 'opt', in: ['sgd'] } }])).toEqual([
      '1.when.param: "opt": there is no such parameter; name a categorical parameter listed before "m"',
    ]);
    expect(issuesOf([{ type: 'float', name: 'm', low: 0, high: 1, when: { param: 'optimizer', in: ['sgd'] } }, optimizer])).toEqual([
      '0.when.param: "optimizer": it is listed after "m"; name a categorical parameter listed before "m"',
    ]);
    expect(issuesOf([{ type: 'float', name: 'lr', low: 0, high: 1 }, { type: 'float', name: 'm', low: 0, high: 1, when: { param: 'lr', in: [0.5] } }])).toEqual([
      '1.when.param: "lr" is a float parameter; a condition needs a categorical parent',
    ]);
    expect(issuesOf([optimizer, { type: 'float', name: 'm', low: 0, high: 1, when: { param: 'optimizer', in: ['sgd', 'sdg', 'sgd'] } }])).toEqual([
      '1.when.in.1: "sdg" is not a choice of "optimizer" ("sgd", "adam", "nesterov")',
      '1.when.in.2: "sgd" is listed twice',
    ]);
    expect(issuesOf([optimizer, { type: 'float', name: 'm', low: 0, high: 1, when: { param: 'optimizer', in: [] } }])).toEqual([
      '1.when.in: list at least one choice of the parent parameter',
    ]);
    expect(issuesOf([optimizer, { type: 'float', name: 'm', low: 0, high: 1, when: { param: 'optimizer', in: ['sgd'], equals: 'x' } }])).toHaveLength(1);
    // A parameter cannot depend on itself (it is not listed before itself).
    expect(issuesOf([{ type: 'categorical', name: 'c', choices: ['a'], when: { param: 'c', in: ['a'] } }])).toEqual([
      '0.when.param: "c": it is listed after "c"; name a categorical parameter listed before "c"',
    ]);
  });
});
