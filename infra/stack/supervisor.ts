import { stopProcess, type ManagedProcess } from './processes';

/**
 * Keeps the processes of the embedded stack running: a child that exits while the stack is up is
 * started again after a delay that doubles with each quick failure (1 s, 2 s, 4 s ... 30 s) and
 * falls back to 1 s once a run has lasted a minute. Only stop() (Ctrl-C, `npm run down`) ends it.
 */

export const BACKOFF = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 } as const;

/** Delay before the next start, given the previous delay (null: none yet) and how long the last run lasted. */
export function nextRestartDelay(previousMs: number | null, uptimeMs: number, b: { initialMs: number; maxMs: number; resetAfterMs: number } = BACKOFF): number {
  if (previousMs === null || uptimeMs >= b.resetAfterMs) return b.initialMs;
  return Math.min(previousMs * 2, b.maxMs);
}

/** Told about a process as soon as it exists. */
export type Spawned = (p: ManagedProcess) => void;

export interface ServiceSpec {
  name: string;
  /**
   * Starts the process and resolves once it is ready (throws if it never gets there). Calls
   * `spawned` as soon as the process exists, so the pid file and stop() know it while it starts.
   */
  start: (spawned: Spawned) => Promise<ManagedProcess>;
  /** Where its output goes, for the log line. */
  logFile: string;
  stopSignal?: NodeJS.Signals;
}

interface Running {
  spec: ServiceSpec;
  proc: ManagedProcess | null;
  delayMs: number | null;
  timer: NodeJS.Timeout | null;
}

/** Resolves once `check` passes; rejects at once if the process exits first, or after `timeoutMs`. */
export async function readyOrExit(p: ManagedProcess, what: string, check: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<ManagedProcess> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited (code ${p.child.exitCode ?? p.child.signalCode}) before ${what}`);
    try {
      if (await check()) return p;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) {
      await stopProcess(p);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export class Supervisor {
  private readonly services: Running[] = [];
  private stopping = false;

  constructor(
    private readonly say: (line: string) => void,
    /** Every time the set of running processes changes (pid file). */
    private readonly onChange: (procs: Array<{ name: string; proc: ManagedProcess; stopSignal?: NodeJS.Signals }>) => void = () => {},
  ) {}

  /** Starts a service and keeps it running; resolves when its first start is ready. */
  async add(spec: ServiceSpec): Promise<void> {
    const s: Running = { spec, proc: null, delayMs: null, timer: null };
    this.services.push(s);
    await this.launch(s, true);
  }

  private changed(): void {
    this.onChange(this.services.flatMap((s) => (s.proc ? [{ name: s.spec.name, proc: s.proc, stopSignal: s.spec.stopSignal }] : [])));
  }

  /** One start. The first start's failure is the caller's; later ones only schedule another try. */
  private async launch(s: Running, first: boolean): Promise<void> {
    const startedAt = Date.now();
    let ready = false;
    const track = (proc: ManagedProcess) => {
      if (s.proc === proc) return;
      s.proc = proc;
      this.changed();
      void proc.exited.then((code) => {
        if (s.proc !== proc) return;
        s.proc = null;
        this.changed();
        // An exit before the process was ready fails its start, which reports it.
        if (ready && !this.stopping) this.scheduleRestart(s, `exited (${typeof code === 'number' ? `code ${code}` : `signal ${code}`})`, Date.now() - startedAt);
      });
    };
    let proc: ManagedProcess;
    try {
      proc = await s.spec.start(track);
      track(proc);
      ready = true;
    } catch (err) {
      if (s.proc) await stopProcess(s.proc, 10_000, s.spec.stopSignal);
      if (first) throw err;
      if (!this.stopping) this.scheduleRestart(s, `failed to start (${(err as Error).message.split('\n')[0]})`, Date.now() - startedAt);
      return;
    }
    if (this.stopping) return void (await stopProcess(proc, 10_000, s.spec.stopSignal)); // stop() came during the start
    if (s.proc !== proc) {
      // Exited just as it became ready: the exit handler ran with ready unset and left it to us.
      this.scheduleRestart(s, `exited (code ${proc.child.exitCode ?? proc.child.signalCode})`, Date.now() - startedAt);
      return;
    }
    if (!first) this.say(`${s.spec.name} is running again (pid ${proc.child.pid})`);
  }

  private scheduleRestart(s: Running, what: string, uptimeMs: number): void {
    s.delayMs = nextRestartDelay(s.delayMs, uptimeMs);
    this.say(`${s.spec.name} ${what}; restarting in ${Math.round(s.delayMs / 1000)}s (see ${s.spec.logFile})`);
    s.timer = setTimeout(() => {
      s.timer = null;
      if (!this.stopping) void this.launch(s, false);
    }, s.delayMs);
  }

  /** Stops every service, the last added first; no restarts from here on. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of [...this.services].reverse()) {
      if (s.timer) clearTimeout(s.timer);
      if (s.proc) await stopProcess(s.proc, 10_000, s.spec.stopSignal);
      s.proc = null;
    }
    this.changed();
  }
}
