import { describe, expect, it } from 'vitest';
import { defaultSpaceRows, formToConfig, initialLaunchForm, validateLaunchForm } from './launch-form';

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
