import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Workflow code must be deterministic: it may import only the workflow SDK, `@stepwise/core`
 * (pure numerics) and other workflow files; activities and the database only as types. Core in
 * turn must not reach for Node built-ins. The layers stay apart as well: the web server and the
 * service (@stepwise/service) never import the orchestrator package (its worker, workflows or
 * activities) or the compute workers (onnxruntime); they reach workflows only through Temporal,
 * by name, with the contracts in core. The database package takes only core's config and contract
 * shapes (the math that uses its rows is core's, not its own). This is the lint rule, as a test.
 */

const ALLOWED_IN_WORKFLOWS = [/^@temporalio\/workflow$/, /^@stepwise\/core$/, /^\.\/[\w-]+$/];
const NODE_BUILTIN = /^(node:|fs$|path$|os$|child_process$|crypto$|net$|http$|https$|worker_threads$|process$)/;

function sources(dir: string, ext = /\.ts$/): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p, ext);
    return ext.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
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

/** Every module a file names (value, type-only, side-effect or dynamic). */
function allImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1] ?? m[2]);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1] ?? m[2]);
  return out;
}

/** The names a file imports from `pkg` (its index), type-only ones included. */
function namedImports(code: string, pkg: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/gm)) {
    if (m[2] !== pkg) continue;
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim();
      if (name) out.push(name);
    }
  }
  return out;
}

function moduleFile(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const f of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      readFileSync(f);
      return f;
    } catch {
      // next candidate
    }
  }
  throw new Error(`${from}: cannot resolve "${spec}"`);
}

const DECLARATION = /^export\s+(?:declare\s+)?(?:async\s+)?(?:abstract\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([\w$]+)/gm;
const STAR = /^export\s+\*\s+from\s*['"]([^'"]+)['"]/gm;
const NAMED = /^export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/gm;

/** Where each name a module exports is declared (following `export *` and `export { } from`). */
function exportOrigins(file: string, seen = new Set<string>()): Map<string, string> {
  const origins = new Map<string, string>();
  if (seen.has(file)) return origins;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(DECLARATION)) origins.set(m[1], file);
  for (const m of code.matchAll(NAMED)) {
    const target = exportOrigins(moduleFile(file, m[2]), new Set(seen));
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).map((x) => x.trim());
      if (orig) origins.set(alias ?? orig, target.get(orig) ?? moduleFile(file, m[2]));
    }
  }
  for (const m of code.matchAll(STAR)) {
    for (const [name, origin] of exportOrigins(moduleFile(file, m[1]), seen)) if (!origins.has(name)) origins.set(name, origin);
  }
  return origins;
}

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..', '..');

/** What web and service must not import: the worker packages (Temporal workers, onnxruntime). */
const WORKER_SIDE = /^@stepwise\/(orchestrator|workers)(\/|$)|^@temporalio\/(worker|workflow|activity)$|^onnxruntime-node$/;
const WORKER_FILES = /^(orchestrator|workers)\//;

/** The only parts of core the database package may take names from: shapes, not numerics. */
const DB_MAY_USE_FROM_CORE = /^core\/src\/(config|contracts)\//;

function workerImports(dir: string): string[] {
  const offenders: string[] = [];
  for (const file of sources(join(root, dir, 'src'), /\.tsx?$/)) {
    for (const spec of allImports(readFileSync(file, 'utf8'))) {
      const target = spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : null;
      if (WORKER_SIDE.test(spec) || (target !== null && WORKER_FILES.test(target))) {
        offenders.push(`${relative(root, file)} imports "${spec}"`);
      }
    }
  }
  return offenders;
}

function dbCoreImports(files: Array<{ name: string; code: string }>): string[] {
  const origins = exportOrigins(join(root, 'core', 'src', 'index.ts'));
  const offenders: string[] = [];
  for (const { name, code } of files) {
    for (const spec of allImports(code)) {
      const sub = /^@stepwise\/core\/(.+)$/.exec(spec)?.[1];
      if (sub !== undefined && !DB_MAY_USE_FROM_CORE.test(`core/src/${sub}`)) offenders.push(`${name} imports "${spec}"`);
      if (spec.startsWith('.') && /(^|\/)core\/src\//.test(spec)) offenders.push(`${name} imports "${spec}" (use @stepwise/core)`);
    }
    for (const imported of namedImports(code, '@stepwise/core')) {
      const origin = origins.get(imported);
      const where = origin ? relative(root, origin) : '(not exported by core)';
      if (!DB_MAY_USE_FROM_CORE.test(where)) offenders.push(`${name} imports ${imported} from @stepwise/core (${where})`);
    }
  }
  return offenders;
}

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

  it('web and the service never import the orchestrator or compute worker packages', () => {
    expect(workerImports('web')).toEqual([]);
    expect(workerImports('service')).toEqual([]);
  });

  it('the database package takes only config and contract shapes from core, none of its math', () => {
    const prisma = join(root, 'prisma', 'src');
    const files = sources(prisma).filter((f) => !f.includes(`${join(prisma, 'generated')}`));
    expect(dbCoreImports(files.map((f) => ({ name: relative(root, f), code: readFileSync(f, 'utf8') })))).toEqual([]);
  });

  it('the layer checks resolve names to their modules and catch a forbidden import', () => {
    const origins = exportOrigins(join(root, 'core', 'src', 'index.ts'));
    expect(relative(root, origins.get('fitSurrogate')!)).toBe('core/src/insights/surrogate.ts');
    expect(relative(root, origins.get('GpModel')!)).toBe('core/src/bo/gp.ts');
    expect(relative(root, origins.get('TParams')!)).toBe('core/src/config/space.ts');
    expect(relative(root, origins.get('NewTrial')!)).toBe('core/src/contracts/workflow.ts');
    // What prisma/src/insights.ts imported before the math moved out of it.
    expect(dbCoreImports([{ name: 'x.ts', code: "import {\n  Matern52Kernel, fitGp, type TParams,\n} from '@stepwise/core';\nimport { mergeStats } from '@stepwise/core/estimation/running-stats';" }])).toEqual([
      'x.ts imports "@stepwise/core/estimation/running-stats"',
      'x.ts imports Matern52Kernel from @stepwise/core (core/src/bo/kernel.ts)',
      'x.ts imports fitGp from @stepwise/core (core/src/bo/gp.ts)',
    ]);
    expect(dbCoreImports([{ name: 'y.ts', code: "import { SURROGATE_MAX_POINTS, type TParams } from '@stepwise/core';" }])).toEqual([]);
    expect(allImports("import type { W } from '@stepwise/orchestrator/workflows/study-workflow';\nimport '@temporalio/worker';")).toEqual([
      '@stepwise/orchestrator/workflows/study-workflow', '@temporalio/worker',
    ]);
    expect(['orchestrator/src/worker', 'orchestrator/src/workflows', 'workers/src/models/open.ts', 'service/src/launch-study.ts'].map((s) => WORKER_FILES.test(s))).toEqual([true, true, true, false]);
    expect(['@stepwise/orchestrator/worker', '@stepwise/orchestrator', '@stepwise/workers', 'onnxruntime-node', '@stepwise/service', '@temporalio/client'].map((s) => WORKER_SIDE.test(s))).toEqual([true, true, true, true, false, false]);
  });

  it('the checker itself catches a value import and lets a type import through', () => {
    expect(valueImports("import { Client } from '@temporalio/client';\nimport type { Db } from '@stepwise/db';\nimport { type X } from 'y';")).toEqual(['@temporalio/client']);
  });
});
