#!/usr/bin/env node
// Builds the CLI into one JavaScript file, client/dist/stepwise.mjs, so that `stepwise` starts
// without compiling TypeScript at run time (tsx costs about 1.4 CPU-seconds per invocation).
// esbuild comes with tsx, which the client already depends on.
//
//   node client/build.mjs             build
//   node client/build.mjs --if-stale  build only when a source is newer than the last build
//
// The build also writes client/dist/inputs.json: the workspace source files that went into the
// bundle. bin/stepwise.mjs stats them and falls back to running the TypeScript sources when any is
// newer than the bundle, so an edit is never shadowed by an old build.
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { distIsFresh } from './bin/freshness.mjs';

const clientDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(clientDir, '..');
const distDir = join(clientDir, 'dist');
const outFile = join(distDir, 'stepwise.mjs');

if (process.argv.includes('--if-stale') && distIsFresh(distDir)) process.exit(0);

/**
 * `stepwise sample` loads the workers' sampler (onnxruntime-node, the model code, files it finds
 * relative to its own sources): it is not bundled. The import becomes a small module that
 * registers tsx and loads the workers' TypeScript only when `sample` runs; every other command
 * pays nothing for it.
 */
const workersOnDemand = {
  name: 'workers-on-demand',
  setup(b) {
    b.onResolve({ filter: /^@stepwise\/workers\// }, (args) =>
      // The stub's own import stays a run-time import, resolved by Node (and tsx) to the sources.
      args.namespace === 'workers-on-demand' ? { path: args.path, external: true } : { path: args.path, namespace: 'workers-on-demand' },
    );
    b.onLoad({ filter: /.*/, namespace: 'workers-on-demand' }, (args) => ({
      loader: 'js',
      contents: [
        `const { register } = await import('tsx/esm/api');`,
        `register();`,
        `const mod = await import(${JSON.stringify(args.path)});`,
        `export const sampleToFile = mod.sampleToFile;`,
      ].join('\n'),
    }));
  },
};

/**
 * zod re-exports every message locale as a namespace (`z.locales`), which bundling cannot shake
 * off: about 360 kB of the bundle, parsed at every start. The CLI never switches zod's locale, so
 * the namespace keeps English only (the default, which zod installs itself).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-english-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      loader: 'js',
      resolveDir: dirname(args.path),
      contents: "export { default as en } from './en.js';\n",
    }));
  },
};

const started = Date.now();
// Chunk names carry content hashes: start empty so no chunk of an older build lingers.
rmSync(distDir, { recursive: true, force: true });
mkdirSync(distDir, { recursive: true });
const result = await build({
  entryPoints: [join(clientDir, 'src/cli/main.ts')],
  outdir: distDir,
  entryNames: 'stepwise',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // tsx stays a plain import (it is only loaded by `sample`); everything else is bundled, so start-up
  // resolves no package at all.
  external: ['tsx', 'tsx/*'],
  // CommonJS dependencies bundled into ESM call require() for Node built-ins.
  banner: { js: "import { createRequire as __stepwiseCreateRequire } from 'node:module'; const require = __stepwiseCreateRequire(import.meta.url);" },
  plugins: [workersOnDemand, zodEnglishOnly],
  // Less to scan at every start; names kept so that stack traces still read.
  minify: true,
  keepNames: true,
  absWorkingDir: repoRoot,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});

// main.ts runs itself when it is the script Node started; in the bundle the bin calls main().
const inputs = Object.keys(result.metafile.inputs)
  .filter((p) => !p.includes('node_modules') && !p.startsWith('workers-on-demand:'))
  .map((p) => relative(repoRoot, resolve(repoRoot, p)));
// A changed lock file may mean changed bundled dependencies.
inputs.push('package-lock.json');
writeFileSync(join(distDir, 'inputs.json'), JSON.stringify({ builtAt: statSync(outFile).mtimeMs, inputs }, null, 1) + '\n');
console.log(`[build] client/dist/stepwise.mjs from ${inputs.length} sources in ${Date.now() - started} ms`);
