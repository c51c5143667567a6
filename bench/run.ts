/**
 * `npm run bench -- <name> [...]`: runs benchmarks by name. Each prints one JSON line per figure,
 * writes bench/results/<name>.json, and starts (and stops) the services it needs.
 */
const benches: Record<string, () => Promise<unknown>> = {
  orchestration: () => import('./orchestration'),
  bo: () => import('./bo'),
  sampler: () => import('./sampler'),
  estimation: () => import('./estimation'),
  digits: () => import('./digits'),
  cli: () => import('./cli'),
  s3: () => import('./s3'),
};

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (names.length === 0 || names.some((n) => !(n in benches))) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}> ...`);
  process.exit(2);
}
for (const name of names) await benches[name]();
process.exit(0);
export {};
