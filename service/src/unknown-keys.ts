import type { z } from 'zod';

/**
 * Keys a zod object schema does not know, found by walking the schema beside the raw input. zod
 * strips unknown keys silently, so `paralel: 8` used to launch with the default parallelism;
 * here each one is a field issue with the closest known key ("did you mean parallel?").
 *
 * The walk reads zod 4's schema definitions (`_zod.def`); it follows objects, arrays, optional /
 * default / nullable wrappers, pipes (their input side) and discriminated unions (the option the
 * discriminator picks), and stops at anything else (records, custom checks): those validate
 * their own keys.
 */

export interface KeyIssue {
  field: string;
  message: string;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Edit distance (insert, delete, substitute, swap of neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

// Case and separators do not count: noise_std and NoiseStd both mean noiseStd.
const normal = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');

/** The known key closest to `key`, when it is close enough to be a slip (a third of its length, at least 2). */
export function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(normal(key), normal(k));
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = closestKey(key, known);
  return near ? `unknown key "${key}"; did you mean "${near}"?` : `unknown key "${key}"; the keys here are ${known.join(', ')}`;
}

/** Issues for every key of `value` that `schema` does not declare, at any depth. */
export function unknownKeys(schema: z.ZodType, value: unknown, path: string[] = []): KeyIssue[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return value === undefined || value === null ? [] : unknownKeys(def.innerType!, value, path);
    case 'pipe':
      return unknownKeys(def.in!, value, path);
    case 'lazy':
      return unknownKeys(def.getter!(), value, path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => unknownKeys(def.element!, v, [...path, String(i)])) : [];
    case 'union': {
      if (!isPlainObject(value)) return [];
      const options = def.options ?? [];
      const disc = def.discriminator;
      const chosen = disc
        ? options.find((o) => literalValues(defOf(o).shape?.[disc]).includes(value[disc]))
        : options.length === 1 ? options[0] : undefined;
      return chosen ? unknownKeys(chosen, value, path) : [];
    }
    case 'object': {
      if (!isPlainObject(value)) return [];
      const shape = def.shape ?? {};
      const known = Object.keys(shape);
      const issues: KeyIssue[] = [];
      for (const [key, v] of Object.entries(value)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) issues.push({ field: [...path, key].join('.'), message: unknownKeyMessage(key, known) });
        else issues.push(...unknownKeys(shape[key], v, [...path, key]));
      }
      return issues;
    }
    default:
      return [];
  }
}

function literalValues(schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'enum') return Object.values((def as unknown as { entries: Record<string, unknown> }).entries ?? {});
  if (def.innerType) return literalValues(def.innerType);
  return [];
}
