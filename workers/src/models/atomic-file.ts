import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';

/**
 * A temporary name beside `file`, unique across processes and hosts: a random suffix, not the PID
 * (every container sharing a volume is PID 1) nor a timestamp (two writers in the same millisecond).
 */
export function temporaryName(file: string): string {
  return `${file}.${randomUUID()}.tmp`;
}

/**
 * Write `file` through a temporary file renamed into place, so a concurrent reader (another
 * worker on the same volume) sees the old file or the whole new one, never half of it.
 * `write` fills the temporary path; default: writeFile with `data`.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | null, write?: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = temporaryName(file);
  try {
    await (write ? write(tmp) : fs.writeFile(tmp, data ?? new Uint8Array(0)));
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
