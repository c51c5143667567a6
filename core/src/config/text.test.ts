import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RESERVED_KEYS, isSafeText, modelRefIssue, unsafeTextReason } from './text';
import { ZStudyConfig, formatIssues } from './study';

const issuesOf = (input: unknown) => {
  const r = ZStudyConfig.safeParse(input);
  return r.success ? [] : formatIssues(r.error);
};
const fn = { name: 'ok', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 10 } };
const command = (space: unknown) => ({ name: 'c', kind: 'random', objective: { type: 'command', program: 'train-tiny' }, space, budget: { trials: 2 } });

describe('text that Postgres and Temporal can store', () => {
  it('refuses NUL and unpaired surrogates, accepts paired ones and other Unicode', () => {
    expect(unsafeTextReason('a\0b')).toMatch(/NUL/);
    expect(unsafeTextReason('\ud800')).toMatch(/unpaired UTF-16 surrogate/);
    expect(unsafeTextReason('x\udc00')).toMatch(/unpaired/);
    expect(unsafeTextReason('\udc00\ud800')).toMatch(/unpaired/);
    expect(isSafeText('ok \ud83d\ude00 é 漢字 \t\n')).toBe(true);
  });

  it('agrees with a UTF-8 round trip on arbitrary UTF-16 strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const roundTrips = new TextDecoder().decode(new TextEncoder().encode(s)) === s;
        expect(isSafeText(s)).toBe(roundTrips && !s.includes('\0'));
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('names the field of a study name, metric, categorical choice or candidate value that cannot be stored', () => {
    expect(issuesOf({ ...fn, name: 'night\0ly' })).toEqual(['name: must not contain NUL (\\u0000) characters']);
    expect(issuesOf({ ...fn, objective: { ...fn.objective, metric: 'v\ud800' } })).toEqual(['objective.metric: must be valid Unicode (it has an unpaired UTF-16 surrogate)']);
    expect(issuesOf(command([{ type: 'categorical', name: 'opt', choices: ['adam', 'sg\0d'] }]))).toEqual(['space.0.choices.1: must not contain NUL (\\u0000) characters']);
    const evaluate = { name: 'e', kind: 'evaluate', objective: { type: 'sampler', model: 'gmm-2d' }, budget: { trials: 1 } };
    expect(issuesOf({ ...evaluate, candidates: [{ preset: 'ddim' }, { preset: '\udfff' }] })).toEqual(['candidates.1.preset: must be valid Unicode (it has an unpaired UTF-16 surrogate)']);
  });
});

describe('reserved names', () => {
  it('refuses a parameter named after an Object.prototype member, naming the field', () => {
    for (const name of ['constructor', '__proto__', 'prototype', 'toString', 'hasOwnProperty']) {
      expect(issuesOf(command([{ type: 'float', name, low: 0, high: 1 }]))).toEqual([`space.0.name: "${name}" is reserved (every JavaScript object already has it); choose another name`]);
    }
    expect(issuesOf(command([{ type: 'float', name: 'constructor_lr', low: 0, high: 1 }]))).toEqual([]);
  });

  it('covers every property a plain object inherits', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) expect(RESERVED_KEYS.has(name)).toBe(true);
  });

  it('reports a __proto__ candidate key instead of dropping it', () => {
    const candidates = [JSON.parse('{"__proto__": {"nfe": 3}, "preset": "ddim"}'), { constructor: 4 }];
    const issues = issuesOf({ name: 'e', kind: 'evaluate', objective: { type: 'sampler', model: 'gmm-2d' }, budget: { trials: 1 }, candidates });
    expect(issues).toEqual([
      'candidates.0.__proto__: "__proto__" is reserved (every JavaScript object already has it); choose another name',
      'candidates.1.constructor: "constructor" is reserved (every JavaScript object already has it); choose another name',
    ]);
  });

  it('refuses a reserved metric key for a command objective (it is looked up in the program output)', () => {
    const cfg = { ...command([{ type: 'float', name: 'lr', low: 0, high: 1 }]) };
    expect(issuesOf({ ...cfg, objective: { ...cfg.objective, metric: 'valueOf' } })).toEqual(['objective.metric: "valueOf" is reserved (every JavaScript object already has it); choose another name']);
  });
});

describe('model references', () => {
  it('accepts built-in names and relative paths inside the model directory', () => {
    for (const ok of ['gmm-2d', 'digits-eps', 'm.onnx', 'digits/unet.v2.onnx', 'a/b/c_d-e.onnx', '.hidden.onnx']) expect(modelRefIssue(ok)).toBeNull();
  });

  it('refuses absolute paths, parent or current segments, empty segments and other characters', () => {
    for (const bad of ['/etc/passwd', '../secret.onnx', 'a/../../b.onnx', './m.onnx', 'a/./m.onnx', 'a//b', 'a/', 'C:\\m.onnx', 'a b', 'm\0.onnx', '~/m.onnx', '..']) {
      expect(modelRefIssue(bad), bad).not.toBeNull();
    }
  });

  it('names objective.model and objective.featureModel', () => {
    const sampler = { name: 's', kind: 'random', budget: { trials: 2 }, space: [{ type: 'int', name: 'nfe', low: 2, high: 4 }] };
    const issues = issuesOf({ ...sampler, objective: { type: 'sampler', model: '../../etc/shadow', featureModel: '/abs/features.onnx' } });
    expect(issues.map((i) => i.split(':')[0])).toEqual(['objective.model', 'objective.featureModel']);
    expect(issues[0]).toMatch(/must not contain "\." or "\.\." segments/);
  });
});
