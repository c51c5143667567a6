import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The pid file of `npm run up`: which processes the stack started, each with what identifies that
 * very process (its start time), so `npm run down` never signals a pid the kernel has since handed
 * to something else (after a crash, a reboot, or simply a long time).
 */

export interface PidEntry {
  name: string;
  pid: number;
  /** processIdentity(pid) when the stack started it. */
  identity: string;
  /** Signal that stops it cleanly (Postgres: SIGINT, a fast shutdown). */
  stopSignal?: NodeJS.Signals;
}

export interface PidFile {
  /** The supervisor (infra/up.ts): asked first, it stops its children in order. */
  supervisor: PidEntry | null;
  children: PidEntry[];
}

/**
 * Who a pid is right now: the boot id and the start time in clock ticks since boot (field 22 of
 * /proc/<pid>/stat) on Linux, `ps`'s start time and command elsewhere. Null when no such process.
 */
export function processIdentity(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (existsSync('/proc/self/stat')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[22 - 3];
    if (fields[0] === 'Z') return null; // a zombie is gone already, only not yet reaped
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // no boot id (some containers): the start time alone still tells reused pids apart
    }
    return `${boot}:${startTime}`;
  }
  const r = spawnSync('ps', ['-o', 'lstart=,command=', '-p', String(pid)], { encoding: 'utf8' });
  const out = r.status === 0 ? r.stdout.trim() : '';
  return out || null;
}

/** Whether `entry` still names the process that was started: same pid, same identity. */
export function isSameProcess(entry: PidEntry, identityOf: (pid: number) => string | null = processIdentity): boolean {
  if (typeof entry.identity !== 'string' || entry.identity === '') return false;
  return identityOf(entry.pid) === entry.identity;
}

export function entryFor(name: string, pid: number | undefined, stopSignal?: NodeJS.Signals): PidEntry | null {
  if (pid === undefined) return null;
  const identity = processIdentity(pid);
  return identity === null ? null : { name, pid, identity, ...(stopSignal ? { stopSignal } : {}) };
}

export function writePidFile(path: string, file: PidFile): void {
  // Written whole and renamed, so `down` never reads half a file.
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 1) + '\n');
  renameSync(`${path}.tmp`, path);
}

/** The pid file, or an empty one. Files of older versions (bare {name, pid}) carry no identity: never signalled. */
export function readPidFile(path: string): PidFile {
  if (!existsSync(path)) return { supervisor: null, children: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { supervisor: null, children: [] };
  }
  const asEntry = (e: unknown): PidEntry | null => {
    const o = e as Partial<PidEntry> | null;
    return o && typeof o.name === 'string' && Number.isInteger(o.pid) ? { name: o.name, pid: o.pid!, identity: typeof o.identity === 'string' ? o.identity : '', ...(o.stopSignal ? { stopSignal: o.stopSignal } : {}) } : null;
  };
  if (Array.isArray(raw)) return { supervisor: null, children: raw.map(asEntry).filter((e): e is PidEntry => e !== null) };
  const o = raw as { supervisor?: unknown; children?: unknown };
  return {
    supervisor: asEntry(o.supervisor),
    children: Array.isArray(o.children) ? o.children.map(asEntry).filter((e): e is PidEntry => e !== null) : [],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops the process an entry names, only if it still is that process: its stop signal, then
 * SIGKILL after `graceMs`. Returns what happened, for the log.
 */
export async function stopEntry(entry: PidEntry, graceMs = 10_000): Promise<'stopped' | 'killed' | 'not running' | 'not ours'> {
  const now = processIdentity(entry.pid);
  if (now === null) return 'not running';
  if (!isSameProcess(entry)) return 'not ours';
  try {
    process.kill(entry.pid, entry.stopSignal ?? 'SIGTERM');
  } catch {
    return 'not running';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(entry)) return 'stopped';
    await sleep(100);
  }
  if (!isSameProcess(entry)) return 'stopped';
  try {
    process.kill(entry.pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  return 'killed';
}

/**
 * Stops what a pid file names, only processes that are still the ones recorded: the supervisor
 * first (it stops its children in order, Postgres last), then any child still running, last first
 * (the supervisor was killed, or did not finish). Returns one line per process for the log.
 */
export async function stopRecorded(file: PidFile, supervisorGraceMs = 90_000): Promise<string[]> {
  const lines: string[] = [];
  const report = (e: PidEntry, what: string) => lines.push(`${e.name} (pid ${e.pid}): ${what === 'not ours' ? 'pid now belongs to another process; left alone' : what}`);
  if (file.supervisor) report(file.supervisor, await stopEntry(file.supervisor, supervisorGraceMs));
  for (const child of [...file.children].reverse()) {
    const what = await stopEntry(child);
    if (what !== 'not running' || !file.supervisor) report(child, what);
  }
  return lines;
}
