import { ZSamplerObjective, type TStudyConfig } from '@stepwise/core';
import { SAMPLER_OVERRIDABLE } from '@stepwise/core/config/objectives';
import type { KeyIssue } from './unknown-keys';

/**
 * A sampler study's candidates (evaluate) and search-space parameters override fields of its
 * objective; the schema checks only their names. Each value a trial could get is checked here
 * against the sampler objective's own schema, so `preset: dpmpp-9m` or `nfe: 0` is refused at
 * launch with its field instead of failing every trial on a worker.
 */

const overridable = SAMPLER_OVERRIDABLE as readonly string[];

/** The problem with `objective` + { key: value }, or null when the sampler schema accepts it. */
function overrideProblem(objective: Record<string, unknown>, key: string, value: unknown): string | null {
  const parsed = ZSamplerObjective.safeParse({ ...objective, [key]: value });
  if (parsed.success) return null;
  const issue = parsed.error.issues.find((i) => i.path[0] === key) ?? null;
  return issue ? issue.message : null;
}

export function samplerOverrideIssues(config: TStudyConfig): KeyIssue[] {
  if (config.objective.type !== 'sampler') return [];
  const objective = config.objective as unknown as Record<string, unknown>;
  const issues: KeyIssue[] = [];
  config.candidates?.forEach((candidate, i) => {
    for (const [key, value] of Object.entries(candidate)) {
      if (!overridable.includes(key)) continue; // the schema has named it already
      const problem = overrideProblem(objective, key, value);
      if (problem) issues.push({ field: `candidates.${i}.${key}`, message: `${JSON.stringify(value)} is not a valid ${key}: ${problem}` });
    }
  });
  config.space?.forEach((p, i) => {
    if (!overridable.includes(p.name)) return;
    if (p.type === 'categorical') {
      p.choices.forEach((c, j) => {
        const problem = overrideProblem(objective, p.name, c);
        if (problem) issues.push({ field: `space.${i}.choices.${j}`, message: `${JSON.stringify(c)} is not a valid ${p.name}: ${problem}` });
      });
      return;
    }
    for (const end of ['low', 'high'] as const) {
      const problem = overrideProblem(objective, p.name, p[end]);
      if (problem) issues.push({ field: `space.${i}.${end}`, message: `${p.name} ${p[end]} is out of range: ${problem}` });
    }
    // A float parameter for an integer field (nfe, label) would propose 10.5 steps.
    if (p.type === 'float' && !issues.some((x) => x.field.startsWith(`space.${i}.`))) {
      const mid = (p.low + p.high) / 2;
      const problem = overrideProblem(objective, p.name, mid);
      if (problem) issues.push({ field: `space.${i}.type`, message: `${p.name} takes values like ${mid} from a float parameter: ${problem} (use type: int)` });
    }
  });
  return issues;
}
