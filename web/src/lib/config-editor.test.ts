import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { placeIssues, validateConfigText } from './config-editor';
import { readExampleTemplates } from './examples';

const BAD = `name: x
kind: random
objective:
  type: function
  function: branin
budget:
  trials: 0
  paralel: 4
seed: 1
`;

describe('validateConfigText', () => {
  it('accepts every example the editor offers as a template (schedule files inlined as the CLI does)', () => {
    const templates = readExampleTemplates(fileURLToPath(new URL('../../../examples/', import.meta.url)));
    expect(templates.map((t) => t.file)).toContain('sampler-grid.yaml');
    const withFiles = templates.find((t) => t.file === 'evaluate-schedules.yaml');
    if (withFiles) expect(withFiles.text).not.toMatch(/schedule: schedules\//);
    for (const t of templates) {
      const r = validateConfigText(t.text);
      expect(r.ok ? [] : r.issues, t.file).toEqual([]);
    }
  });
  it('names each bad field at its line, unknown keys with the closest known one', () => {
    const r = validateConfigText(BAD);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const trials = r.issues.find((i) => i.field === 'budget.trials');
    expect(trials?.line).toBe(7);
    const typo = r.issues.find((i) => i.field === 'budget.paralel');
    expect(typo?.line).toBe(8);
    expect(typo?.message).toMatch(/parallel/);
  });
  it('reports YAML syntax errors with their line', () => {
    const r = validateConfigText('name: x\nkind: [random\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0].message).toMatch(/YAML/);
  });
  it('places server issues on the current text', () => {
    expect(placeIssues(BAD, [{ field: 'objective.function', message: 'm' }])[0].line).toBe(5);
  });
});
