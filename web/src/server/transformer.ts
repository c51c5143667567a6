import superjson from 'superjson';
import { ValidationError } from '@stepwise/service/service-types';
import { joinPath, type FieldIssue } from './errors';

/**
 * superjson, except that request input carrying a `__proto__` key is refused. superjson drops
 * such keys while deserializing (the prototype-pollution guard), so without this a config with
 * one would be accepted with a field silently missing. The check runs on the parsed JSON before
 * superjson sees it; thrown as a ValidationError, it reaches the caller as a field-level 400.
 */

/** Nodes visited at most; inputs beyond that are left to the schemas (which bound every array). */
const MAX_NODES = 100_000;

export function protoKeyIssues(value: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Array<{ v: unknown; path: Array<string | number> }> = [{ v: value, path: [] }];
  for (let seen = 0; stack.length > 0 && seen < MAX_NODES && issues.length < 10; seen++) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: [...path, i] }));
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === '__proto__') issues.push({ field: joinPath([...path, key]), message: '"__proto__" cannot be a key (it would be dropped silently); rename it' });
      else stack.push({ v: (v as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}

export const transformer = {
  input: {
    serialize: (v: unknown) => superjson.serialize(v),
    deserialize: (raw: unknown) => {
      const json = typeof raw === 'object' && raw !== null ? (raw as { json?: unknown }).json : undefined;
      const issues = protoKeyIssues(json);
      if (issues.length) throw new ValidationError(issues);
      return superjson.deserialize(raw as Parameters<typeof superjson.deserialize>[0]);
    },
  },
  output: superjson,
};
