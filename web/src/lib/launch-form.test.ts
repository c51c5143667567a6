import { describe, expect, it } from 'vitest';
import { defaultSpaceRows, formToConfig, initialLaunchForm, paramConditions, parentCandidates, parseChoices, validateLaunchForm } from './launch-form';

describe('launch form → study config', () => {
  it('builds a valid config from the initial form plus a name', () => {
    const r = validateLaunchForm({ ...initialLaunchForm, name: 'b' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config).toMatchObject({ kind: 'random', objective: { function: 'branin', noiseStd: 0 }, budget: { trials: 50, parallel: 8 } });
  });

  it('reports errors under the same dotted paths the server uses', () => {
    const r = validateLaunchForm({ ...initialLaunchForm, name: '', parallel: '5000', trials: '' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors).sort()).toEqual(['budget.parallel', 'budget.trials', 'name']);
      expect(r.errors['budget.parallel']).toBe('Too big: expected number to be <=1024');
    }
  });

  it('omits dim for fixed-dimension functions and sends it for the others', () => {
    expect((formToConfig({ ...initialLaunchForm, dim: '7' }).objective as { dim?: number }).dim).toBeUndefined();
    expect((formToConfig({ ...initialLaunchForm, fn: 'ackley', dim: '7' }).objective as { dim?: number }).dim).toBe(7);
  });

  it('sends an explicit space only when the default domain is switched off', () => {
    expect(formToConfig(initialLaunchForm).space).toBeUndefined();
    const rows = defaultSpaceRows('hartmann6', '');
    expect(rows).toHaveLength(6);
    const cfg = formToConfig({ ...initialLaunchForm, fn: 'hartmann6', useDefaultSpace: false, space: rows });
    expect(cfg.space).toHaveLength(6);
    const r = validateLaunchForm({ ...initialLaunchForm, name: 'h', fn: 'hartmann6', useDefaultSpace: false, space: rows.slice(0, 5) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.space).toMatch(/takes 6 inputs/);
  });

  it('sends bayesopt settings only for kind bayesopt, and validates them by path', () => {
    expect(formToConfig({ ...initialLaunchForm, name: 'r' }).bayesopt).toBeUndefined();
    const r = validateLaunchForm({ ...initialLaunchForm, name: 'bo', kind: 'bayesopt', boMethod: 'tpe', initialDesign: '8' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config).toMatchObject({ kind: 'bayesopt', bayesopt: { method: 'tpe', initialDesign: 8 } });
    const bad = validateLaunchForm({ ...initialLaunchForm, name: 'bo', kind: 'bayesopt', initialDesign: '0' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors)).toEqual(['bayesopt.initialDesign']);
  });
});

describe('launch form: sampler objectives and conditional parameters', () => {
  const rows = [
    { name: 'spacing', type: 'categorical' as const, low: '', high: '', log: false, gridPoints: '5', choices: 'logSNR, karras' },
    { name: 'rho', type: 'float' as const, low: '3', high: '10', log: false, gridPoints: '5', whenParam: 'spacing', whenIn: ['karras'] },
    { name: 'nfe', type: 'int' as const, low: '4', high: '10', log: false, gridPoints: '5' },
  ];
  const sampler = { ...initialLaunchForm, name: 's', objectiveType: 'sampler' as const, model: 'gmm-2d', metric: 'rmse' as const, useDefaultSpace: false, space: rows };

  it('writes a categorical parent and a conditional child the schema accepts', () => {
    const r = validateLaunchForm(sampler);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.objective).toMatchObject({ type: 'sampler', model: 'gmm-2d', metric: 'rmse' });
    expect(r.config.space).toEqual([
      { type: 'categorical', name: 'spacing', choices: ['logSNR', 'karras'] },
      { type: 'float', name: 'rho', low: 3, high: 10, log: false, gridPoints: 5, when: { param: 'spacing', in: ['karras'] } },
      { type: 'int', name: 'nfe', low: 4, high: 10, log: false },
    ]);
    expect(paramConditions(r.config)).toEqual({ rho: 'spacing in [karras]' });
  });

  it('reads numeric choices as numbers so a condition on them matches', () => {
    expect(parseChoices(' 4, 6 ,, karras, true')).toEqual([4, 6, 'karras', true]);
    const space = [
      { ...rows[0], name: 'nfe', choices: '4, 8' },
      { ...rows[1], name: 'rho', whenParam: 'nfe', whenIn: ['8'] },
    ];
    const r = validateLaunchForm({ ...sampler, space });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.space?.[1]).toMatchObject({ when: { param: 'nfe', in: [8] } });
  });

  it('names the field and the fix for a bad condition', () => {
    const noValues = validateLaunchForm({ ...sampler, space: [rows[0], { ...rows[1], whenIn: [] }, rows[2]] });
    expect(noValues.ok).toBe(false);
    if (!noValues.ok) expect(noValues.errors['space.1.when.in']).toMatch(/list at least one choice of the parent/);
    // The parent moved below its child: the condition names it and says where it must be.
    const after = validateLaunchForm({ ...sampler, space: [rows[1], rows[0], rows[2]] });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.errors['space.0.when.param']).toMatch(/listed after "rho".*listed before "rho"/);
    // A numeric parent is refused with the reason.
    const numeric = validateLaunchForm({ ...sampler, space: [rows[2], { ...rows[1], whenParam: 'nfe', whenIn: ['4'] }] });
    expect(numeric.ok).toBe(false);
    if (!numeric.ok) expect(numeric.errors['space.1.when.param']).toMatch(/"nfe" is a int parameter; a condition needs a categorical parent/);
    // A value the parent does not offer (its choices changed after it was ticked).
    const stale = validateLaunchForm({ ...sampler, space: [{ ...rows[0], choices: 'logSNR' }, rows[1], rows[2]] });
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.errors['space.1.when.in.0']).toMatch(/"karras" is not a choice of "spacing"/);
  });

  it('lists as parents only the named categorical rows above a row', () => {
    expect(parentCandidates(rows, 1).map((r) => r.name)).toEqual(['spacing']);
    expect(parentCandidates(rows, 0)).toEqual([]);
    expect(parentCandidates(rows, 3).map((r) => r.name)).toEqual(['spacing']);
  });
});
