// Whether client/dist holds a build at least as new as every source that went into it. Shared by
// the bin (which falls back to the TypeScript sources when not) and build.mjs --if-stale.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function distIsFresh(distDir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(distDir, 'inputs.json'), 'utf8'));
    if (statSync(join(distDir, 'stepwise.mjs')).mtimeMs < manifest.builtAt) return false;
  } catch {
    return false;
  }
  const repoRoot = resolve(distDir, '..', '..');
  for (const input of manifest.inputs) {
    try {
      if (statSync(join(repoRoot, input)).mtimeMs > manifest.builtAt) return false;
    } catch {
      return false; // a source was removed or renamed: rebuild
    }
  }
  return true;
}
