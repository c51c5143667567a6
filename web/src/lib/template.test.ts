import { describe, expect, it } from 'vitest';
import { EXAMPLE_TEMPLATE, parseTemplateText, validateScheduleForm } from './template';

const base = { name: 'nightly', mode: 'cron' as const, cron: '0 3 * * *', intervalSeconds: '', template: EXAMPLE_TEMPLATE, paused: false };

describe('schedule form', () => {
  it('accepts the example template with a cron spec', () => {
    const r = validateScheduleForm(base);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.input).toMatchObject({ cron: '0 3 * * *', intervalSeconds: undefined, template: { name: 'branin-nightly' } });
  });

  it('parses JSON templates as well as YAML', () => {
    expect(parseTemplateText('{"name": "x"}')).toEqual({ ok: true, value: { name: 'x' } });
    expect(parseTemplateText('- a').ok).toBe(false);
    expect(parseTemplateText('{ nope').ok).toBe(false);
  });

  it('names template fields under "template." and checks the interval', () => {
    const r = validateScheduleForm({ ...base, mode: 'interval', intervalSeconds: '0', template: EXAMPLE_TEMPLATE.replace('parallel: 8', 'parallel: 0') });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['intervalSeconds', 'template.budget.parallel']);
  });
});
