import { ZStudyConfig, type TStudyConfig } from '@stepwise/core';
import { ValidationError } from './service-types';

function zodIssues(error: { issues: Array<{ path: PropertyKey[]; message: string }> }, prefix = ''): ValidationError {
  return new ValidationError(
    error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(config)', message: i.message })),
  );
}

/** A study config from unknown input, or a ValidationError naming each bad field (under `prefix`). */
export function parseStudyConfig(raw: unknown, prefix = ''): TStudyConfig {
  const parsed = ZStudyConfig.safeParse(raw);
  if (!parsed.success) throw zodIssues(parsed.error, prefix);
  return parsed.data;
}
