import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { devStackSettings } from './stack/dev-env';
import { stopPostgres } from './stack/postgres';
import { readPidFile, stopRecorded, writePidFile } from './stack/pidfile';

/**
 * Stops a stack started by `npm run up`, from any terminal. Signals only processes that are still
 * the ones the stack recorded (pid and start time): a pid the kernel has since given to another
 * program is left alone.
 */
const s = devStackSettings();
const pidFile = join(s.dataDir, 'run', 'pids.json');
for (const line of await stopRecorded(readPidFile(pidFile))) console.log(line);
if (existsSync(pidFile)) writePidFile(pidFile, { supervisor: null, children: [] });
// A cluster of an older stack (pg_ctl daemon) or a test run: pg_ctl checks its own postmaster.pid.
stopPostgres(join(s.dataDir, 'pg'));
console.log('stack stopped');
