#!/usr/bin/env node
// Launcher: the built CLI (client/dist, see client/build.mjs) when it is at least as new as its
// sources, else the TypeScript sources through tsx's loader (slow to start, always current).
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './freshness.mjs';
import { httpFetch } from './http-fetch.mjs';

// The API calls go through node:http: Node's fetch costs ~40 ms of CPU to load (see http-fetch.mjs).
if (process.env.STEPWISE_CLI_NATIVE_FETCH !== '1') globalThis.fetch = httpFetch;

const distDir = new URL('../dist/', import.meta.url);
let main;
// STEPWISE_CLI_FROM=dist or =source skips the check (bench/cli.ts measures each on purpose).
const from = process.env.STEPWISE_CLI_FROM ?? (distIsFresh(fileURLToPath(distDir)) ? 'dist' : 'source');
if (from === 'dist') {
  ({ main } = await import(new URL('stepwise.mjs', distDir).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
