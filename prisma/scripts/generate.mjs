// Runs `prisma generate` offline. Prisma's CLI insists on locating a schema-engine binary even
// though generation never uses it; a stand-in file satisfies that check. The query side of
// Prisma 7 needs no engine binary (driver adapter + compiled query plans).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const standIn = join(pkg, 'node_modules', '.cache', 'schema-engine-stand-in');
  if (!existsSync(standIn)) {
    mkdirSync(dirname(standIn), { recursive: true });
    writeFileSync(standIn, '#!/bin/sh\necho "schema engine not available offline; use npm run -w @stepwise/db migrate" >&2\nexit 1\n');
    chmodSync(standIn, 0o755);
  }
  env.PRISMA_SCHEMA_ENGINE_BINARY = standIn;
}
const result = spawnSync('npx', ['prisma', 'generate'], { cwd: pkg, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
