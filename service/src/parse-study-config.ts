import { ZStudyConfig, primaryObjectiveConflicts, type TStudyConfig } from '@stepwise/core';
import { ValidationError } from './service-types';
import { samplerOverrideIssues } from './sampler-overrides';
import { unknownKeys, type KeyIssue } from './unknown-keys';

const withPrefix = (issues: KeyIssue[], prefix: string): KeyIssue[] =>
  prefix ? issues.map((i) => ({ field: i.field === '(config)' ? prefix : `${prefix}.${i.field}`, message: i.message })) : issues;

/**
 * A study config from unknown input, or a ValidationError naming every bad field (under `prefix`):
 * the schema's issues, keys the schema does not know (zod would drop them and run the defaults
 * instead), and candidate / search-space values the sampler objective would refuse at run time.
 */
export function parseStudyConfig(raw: unknown, prefix = ''): TStudyConfig {
  const parsed = ZStudyConfig.safeParse(raw);
  const issues: KeyIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(config)', message: i.message }));
  issues.push(...unknownKeys(ZStudyConfig, raw));
  // objective.metric / direction have defaults, so a conflict with objectives.0 shows only in the raw input.
  issues.push(...primaryObjectiveConflicts(raw));
  if (parsed.success) issues.push(...samplerOverrideIssues(parsed.data));
  if (issues.length) throw new ValidationError(withPrefix(issues, prefix));
  return parsed.data!;
}
