import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Workflow code must be deterministic: it may import only the workflow SDK, `@stepwise/core`
 * (pure numerics) and other workflow files; activities and the database only as types. Core in
 * turn must not reach for Node built-ins. This is the lint rule, as a test.
 */

const ALLOWED_IN_WORKFLOWS = [/^@temporalio\/workflow$/, /^@stepwise\/core$/, /^\.\/[\w-]+$/];
const NODE_BUILTIN = /^(node:|fs$|path$|os$|child_process$|crypto$|net$|http$|https$|worker_threads$|process$)/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

function valueImports(code: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gm;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+[\w$]+\s*,?\s*)+\}$/.test(m[3].trim());
    if (!typeOnly) out.push(m[4]);
  }
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? m[2]);
  return out;
}

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..', '..');

describe('import rules', () => {
  it('workflow files import only the workflow SDK, @stepwise/core and each other (types excepted)', () => {
    const offenders: string[] = [];
    for (const file of sources(here)) {
      for (const spec of valueImports(readFileSync(file, 'utf8'))) {
        if (!ALLOWED_IN_WORKFLOWS.some((re) => re.test(spec))) offenders.push(`${relative(root, file)} imports "${spec}"`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('core has no Node built-ins', () => {
    const offenders: string[] = [];
    for (const file of sources(join(root, 'core', 'src'))) {
      for (const spec of valueImports(readFileSync(file, 'utf8'))) {
        if (NODE_BUILTIN.test(spec)) offenders.push(`${relative(root, file)} imports "${spec}"`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the checker itself catches a value import and lets a type import through', () => {
    expect(valueImports("import { Client } from '@temporalio/client';\nimport type { Db } from '@stepwise/db';\nimport { type X } from 'y';")).toEqual(['@temporalio/client']);
  });
});
