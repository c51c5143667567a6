#!/usr/bin/env node
// Builds the typed client for scripts outside this repository into client/lib/, a package that
// needs nothing from the monorepo:
//
//   lib/index.mjs, lib/index.cjs   the client (src/index.ts) with @trpc/client and superjson bundled
//                                  in, for `import` and for `require` alike
//   lib/index.d.ts, lib/index.d.cts its types: every procedure's input and output written out in full
//                                  (the server's types are not shipped, so they are expanded here
//                                  with the TypeScript checker)
//   lib/package.json, lib/README.md
//
//   node client/build-lib.mjs        (npm run build:lib -w @stepwise/client; then `npm pack client/lib`)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const clientDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(clientDir, '..');
const libDir = join(clientDir, 'lib');
const entry = join(clientDir, 'src/index.ts');
const version = JSON.parse(readFileSync(join(clientDir, 'package.json'), 'utf8')).version;

rmSync(libDir, { recursive: true, force: true });
mkdirSync(libDir, { recursive: true });

// 1. JavaScript, both module systems. superjson is ESM-only, so it is bundled rather than required.
for (const [format, ext] of [['esm', 'mjs'], ['cjs', 'cjs']]) {
  await build({
    entryPoints: [entry], outfile: join(libDir, `index.${ext}`), bundle: true, format, platform: 'node', target: 'node18',
    absWorkingDir: repoRoot, logLevel: 'warning', legalComments: 'none', keepNames: true,
  });
}

// 2. Which procedures are queries and which mutations: asked of the router itself.
const kinds = JSON.parse(
  execFileSync(process.execPath, ['--import', 'tsx', '-e', `
    const { appRouter } = await import('./web/src/server/router.ts');
    const out = {};
    for (const [path, p] of Object.entries(appRouter._def.procedures)) out[path] = p._def.type;
    process.stdout.write(JSON.stringify(out));
  `], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, STEPWISE_LOG_LEVEL: 'silent' } }),
);

// 3. Types: StepwiseInputs / StepwiseOutputs of src/index.ts, expanded into plain structural types.
const base = ts.readConfigFile(join(repoRoot, 'tsconfig.base.json'), ts.sys.readFile).config.compilerOptions;
const { options } = ts.convertCompilerOptionsFromJson({ ...base, noEmit: true, jsx: 'preserve' }, repoRoot);
const program = ts.createProgram([entry], options);
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));
const exported = Object.fromEntries(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
const typeOf = (name) => checker.getDeclaredTypeOfSymbol(exported[name]);

const IDENT = /^[A-Za-z_$][\w$]*$/;
const F = ts.TypeFlags;

function print(type, stack = []) {
  if (stack.includes(type) || stack.length > 30) return 'unknown';
  const f = type.flags;
  if (f & F.Any) return 'any';
  if (f & F.Unknown) return 'unknown';
  if (f & F.Never) return 'never';
  if (f & F.Void) return 'void';
  if (f & F.Undefined) return 'undefined';
  if (f & F.Null) return 'null';
  if (f & F.String) return 'string';
  if (f & F.Number) return 'number';
  if (f & F.Boolean) return 'boolean';
  if (f & F.BigInt) return 'bigint';
  if (f & F.StringLiteral) return JSON.stringify(type.value);
  if (f & F.NumberLiteral) return String(type.value);
  if (f & F.BooleanLiteral) return checker.typeToString(type);
  if (f & F.ESSymbolLike) return 'symbol';
  const inner = [...stack, type];
  if (type.isUnion()) {
    let parts = type.types.map((t) => print(t, inner));
    if (parts.includes('true') && parts.includes('false')) parts = ['boolean', ...parts.filter((p) => p !== 'true' && p !== 'false')];
    return [...new Set(parts)].map((p) => (p.includes('=>') ? `(${p})` : p)).join(' | ');
  }
  if (type.isIntersection()) return type.types.map((t) => `(${print(t, inner)})`).join(' & ');
  if (f & F.Object) {
    if (checker.isArrayType(type)) return `Array<${print(checker.getTypeArguments(type)[0], inner)}>`;
    if (checker.isTupleType(type)) return `[${checker.getTypeArguments(type).map((t) => print(t, inner)).join(', ')}]`;
    const name = type.getSymbol()?.name;
    if (name === 'Date' || name === 'Uint8Array' || name === 'Map' || name === 'Set') return checker.typeToString(type);
    if (type.getCallSignatures().length) return 'unknown';
    const members = [];
    for (const info of checker.getIndexInfosOfType(type)) members.push(`[key: ${checker.typeToString(info.keyType)}]: ${print(info.type, inner)};`);
    for (const prop of checker.getPropertiesOfType(type)) {
      const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
      let t = checker.getTypeOfSymbol(prop);
      if (optional && t.isUnion()) t = checker.getNonNullableType(t) === t ? t : t; // undefined stays visible under strict
      const key = IDENT.test(prop.name) ? prop.name : JSON.stringify(prop.name);
      members.push(`${key}${optional ? '?' : ''}: ${print(t, inner)};`);
    }
    return members.length ? `{ ${members.join(' ')} }` : '{}';
  }
  return checker.typeToString(type);
}

const inputs = typeOf('StepwiseInputs');
const outputs = typeOf('StepwiseOutputs');
const lines = [];
for (const ns of checker.getPropertiesOfType(inputs)) {
  lines.push(`  ${ns.name}: {`);
  const nsIn = checker.getTypeOfSymbol(ns);
  const nsOut = checker.getTypeOfSymbol(checker.getPropertyOfType(outputs, ns.name));
  for (const proc of checker.getPropertiesOfType(nsIn)) {
    const kind = kinds[`${ns.name}.${proc.name}`];
    if (kind !== 'query' && kind !== 'mutation') continue; // subscriptions need a streaming link
    const input = print(checker.getTypeOfSymbol(proc));
    const output = print(checker.getTypeOfSymbol(checker.getPropertyOfType(nsOut, proc.name)));
    lines.push(`    ${proc.name}: { type: '${kind}'; input: ${input}; output: ${output} };`);
  }
  lines.push('  };');
}

const dts = `// Generated by client/build-lib.mjs from the server's router: do not edit.
/** Every procedure of the Stepwise API: whether it is a query or a mutation, its input and its output. */
export interface StepwiseProcedures {
${lines.join('\n')}
}

// Structural, so that the declarations need neither the DOM library nor @types/node.
type AbortSignalLike = { readonly aborted: boolean; addEventListener(type: 'abort', listener: () => void): void };
type FetchLike = (input: any, init?: any) => Promise<any>;

type Proc = { type: 'query' | 'mutation'; input: unknown; output: unknown };
type Call<P> = P extends { type: 'query'; input: infer I; output: infer O }
  ? { query(input: I, opts?: { signal?: AbortSignalLike }): Promise<O> }
  : P extends { type: 'mutation'; input: infer I; output: infer O }
    ? { mutate(input: I, opts?: { signal?: AbortSignalLike }): Promise<O> }
    : never;

export type StepwiseInputs = { [N in keyof StepwiseProcedures]: { [K in keyof StepwiseProcedures[N]]: StepwiseProcedures[N][K] extends Proc ? StepwiseProcedures[N][K]['input'] : never } };
export type StepwiseOutputs = { [N in keyof StepwiseProcedures]: { [K in keyof StepwiseProcedures[N]]: StepwiseProcedures[N][K] extends Proc ? StepwiseProcedures[N][K]['output'] : never } };
/** The typed client: \`client.studies.launch.mutate({ config })\`, \`client.studies.get.query({ id })\`, ... */
export type StepwiseClient = { [N in keyof StepwiseProcedures]: { [K in keyof StepwiseProcedures[N]]: Call<StepwiseProcedures[N][K]> } };

export interface StepwiseClientOptions {
  /** Base URL of the web app (STEPWISE_URL), e.g. http://localhost:3000; "/api/trpc" is appended unless present. */
  url?: string;
  /** API token (STEPWISE_API_TOKEN), sent as \`Authorization: Bearer <token>\`. */
  token?: string | null;
  /** Custom fetch (tests, proxies). */
  fetch?: FetchLike;
}

/** What a failed call rejects with; \`errorIssues\` and \`errorCode\` read it. */
export declare class TRPCClientError extends Error {
  readonly data: { code?: string; httpStatus?: number; issues?: Array<{ field: string; message: string }> } | undefined;
  readonly shape: unknown;
  readonly cause: Error | undefined;
}

export declare const DEFAULT_URL: string;
/** http://host:3000 -> http://host:3000/api/trpc (idempotent, trailing slashes ignored). */
export declare function trpcEndpoint(url?: string): string;
export declare function createStepwiseClient(opts?: StepwiseClientOptions): StepwiseClient;
/** Field-level issues of a BAD_REQUEST answer ("budget.parallel: ..."), empty for other errors. */
export declare function errorIssues(err: unknown): Array<{ field: string; message: string }>;
/** The tRPC error code (BAD_REQUEST, NOT_FOUND, UNAUTHORIZED, ...), or null. */
export declare function errorCode(err: unknown): string | null;
`;
writeFileSync(join(libDir, 'index.d.ts'), dts);
writeFileSync(join(libDir, 'index.d.cts'), dts);

writeFileSync(join(libDir, 'package.json'), JSON.stringify({
  name: '@stepwise/client',
  version,
  description: 'Typed client for the Stepwise API (launch, watch and read studies from scripts)',
  type: 'module',
  main: './index.cjs',
  module: './index.mjs',
  types: './index.d.ts',
  exports: {
    '.': {
      import: { types: './index.d.ts', default: './index.mjs' },
      require: { types: './index.d.cts', default: './index.cjs' },
    },
  },
  engines: { node: '>=18' },
  sideEffects: false,
}, null, 2) + '\n');
writeFileSync(join(libDir, 'README.md'), '# @stepwise/client\n\nTyped client for the Stepwise API. See the "Client for scripts" section of the Stepwise README.\n');
console.log(`[build-lib] client/lib: ${Object.keys(kinds).length} procedures, ESM + CJS + types`);
