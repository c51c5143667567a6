import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { distIsFresh } from '../../bin/freshness.mjs';

/** The launcher runs client/dist only when the build is at least as new as every source in it. */
describe('built CLI freshness', () => {
  let root: string;
  let dist: string;
  const builtAt = Date.parse('2026-01-01T00:00:00Z');
  const at = (path: string, ms: number) => utimesSync(path, ms / 1000, ms / 1000);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stepwise-launcher-'));
    dist = join(root, 'client', 'dist');
    mkdirSync(dist, { recursive: true });
    mkdirSync(join(root, 'core'), { recursive: true });
    writeFileSync(join(root, 'core', 'a.ts'), 'export const a = 1;\n');
    at(join(root, 'core', 'a.ts'), builtAt - 60_000);
    writeFileSync(join(dist, 'stepwise.mjs'), 'export async function main() { return 0; }\n');
    at(join(dist, 'stepwise.mjs'), builtAt);
    writeFileSync(join(dist, 'inputs.json'), JSON.stringify({ builtAt, inputs: ['core/a.ts'] }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is fresh when every input is older than the build', () => {
    expect(distIsFresh(dist)).toBe(true);
  });

  it('is stale when an input was edited after the build', () => {
    at(join(root, 'core', 'a.ts'), builtAt + 1000);
    expect(distIsFresh(dist)).toBe(false);
  });

  it('is stale when an input is gone or there is no manifest', () => {
    rmSync(join(root, 'core', 'a.ts'));
    expect(distIsFresh(dist)).toBe(false);
    rmSync(join(dist, 'inputs.json'));
    expect(distIsFresh(dist)).toBe(false);
  });
});
