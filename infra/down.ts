import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devStackSettings } from './stack/dev-env';
import { stopPostgres } from './stack/postgres';

/** Stops a stack started by `npm run up`, from any terminal. */
const s = devStackSettings();
const pidFile = join(s.dataDir, 'run', 'pids.json');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
if (existsSync(pidFile)) {
  const pids = JSON.parse(readFileSync(pidFile, 'utf8')) as Array<{ name: string; pid: number }>;
  for (const { name, pid } of pids.reverse()) {
    if (!alive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    console.log(`stopped ${name} (${pid})`);
  }
  writeFileSync(pidFile, '[]');
}
stopPostgres(join(s.dataDir, 'pg'));
console.log('stack stopped');
