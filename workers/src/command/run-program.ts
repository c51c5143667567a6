import { spawn } from 'node:child_process';
import { expandArgv, type AllowedProgram } from './allowlist';

/**
 * Runs one allowlisted program for one trial. No shell is involved: argv comes from the allowlist
 * (only {seed}/{trial} expanded), the trial parameters go as one JSON object on stdin, and the
 * program reports by printing a JSON object of metrics as its LAST non-empty stdout line (earlier
 * lines are free-form progress). The child gets a minimal environment and runs in its own process
 * group, so a timeout or cancellation takes down whatever it started too.
 */

export const STDOUT_LIMIT_BYTES = 1024 * 1024;
export const STDERR_TAIL_BYTES = 4 * 1024;
export const DEFAULT_KILL_GRACE_MS = 5000;
/** After the child exits, how long to wait for stdio to close (a background grandchild may hold it). */
const CLOSE_GRACE_MS = 2000;
const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface RunProgramOptions {
  program: AllowedProgram;
  /** Trial parameters: a JSON object, written to stdin. */
  params: Record<string, unknown>;
  /** Key of the metric that becomes the trial value. */
  metric: string;
  trialNumber: number;
  seed: number;
  /** Aborting kills the child (SIGTERM, then SIGKILL after the grace period). */
  signal?: AbortSignal;
  /** Where PATH, HOME and LANG come from (default process.env); nothing else is passed through. */
  baseEnv?: NodeJS.ProcessEnv;
  /** SIGTERM to SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** Every complete non-empty stdout line, as it arrives (progress reporting). */
  onLine?: (line: string) => void;
}

export interface ProgramResult {
  status: 'completed' | 'failed';
  value: number | null;
  /** Every finite numeric metric of the last line (best effort, also on failure). */
  metrics: Record<string, number>;
  error: string | null;
  seconds: number;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  stderrTail: string;
}

/** Keeps the last `limit` bytes written to it. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length) {
      const excess = this.size - this.limit;
      const first = this.chunks[0];
      this.truncated = true;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }
  text(): string {
    // A cut may split a UTF-8 sequence; the decoder substitutes U+FFFD, which is fine for a tail.
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Splits stdout into lines for onLine, keeping at most 64 KiB of an unfinished line. */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = (parts.pop() ?? '').slice(-65_536);
    for (const line of parts) {
      const trimmed = line.trim();
      if (trimmed) onLine(trimmed);
    }
  };
}

/** The child's whole environment: PATH, HOME, LANG, the program's configured env, then the trial's. */
export function programEnv(program: AllowedProgram, trialNumber: number, seed: number, baseEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { PATH: baseEnv.PATH || FALLBACK_PATH };
  if (baseEnv.HOME) env.HOME = baseEnv.HOME;
  if (baseEnv.LANG) env.LANG = baseEnv.LANG;
  Object.assign(env, program.env);
  env.STEPWISE_TRIAL = String(trialNumber);
  env.STEPWISE_SEED = String(seed);
  return env;
}

export type ParsedMetrics = { ok: true; raw: Record<string, unknown>; metrics: Record<string, number> } | { ok: false; error: string };

/**
 * Parse the last non-empty line of `stdout` as a JSON object. Bare NaN / Infinity (what Python's
 * json.dumps prints) are accepted so that the error can say which metric was not finite.
 */
export function parseMetricsLine(stdout: string): ParsedMetrics {
  const lines = stdout.split('\n');
  let last = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i].trim();
    if (t) {
      last = t;
      break;
    }
  }
  if (!last) return { ok: false, error: 'the program printed nothing on stdout; its last line must be a JSON object of metrics' };
  const shown = last.length > 200 ? `${last.slice(0, 200)}...` : last;
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    try {
      value = JSON.parse(last.replace(/(^|[:,[]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, (_m, pre: string, tok: string) => `${pre}"${tok}"`));
    } catch {
      return { ok: false, error: `the last stdout line is not JSON (expected an object of metrics such as {"loss": 0.31}): ${shown}` };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `the last stdout line must be a JSON object of metrics, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}: ${shown}` };
  }
  const raw = value as Record<string, unknown>;
  const metrics: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (typeof v === 'number' && Number.isFinite(v)) metrics[key] = v;
  }
  return { ok: true, raw, metrics };
}

function describe(v: unknown): string {
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 50 ? `${v.slice(0, 50)}...` : v)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function withStderr(message: string, stderrTail: string, truncated: boolean): string {
  const tail = stderrTail.trimEnd();
  if (!tail) return `${message} (stderr was empty)`;
  return `${message}\n--- stderr${truncated ? ` (last ${STDERR_TAIL_BYTES / 1024} KiB)` : ''} ---\n${tail}`;
}

/** Run the program for one trial. Never throws for program failures: they are a 'failed' result. */
export function runProgram(options: RunProgramOptions): Promise<ProgramResult> {
  const { program, metric, trialNumber, seed, signal } = options;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const argv = expandArgv(program.argv, { seed, trial: trialNumber });
  const input = `${JSON.stringify(options.params)}\n`;
  const started = performance.now();
  const stdout = new TailBuffer(STDOUT_LIMIT_BYTES);
  const stderr = new TailBuffer(STDERR_TAIL_BYTES);
  const onStdoutLine = options.onLine ? lineSplitter(options.onLine) : null;

  return new Promise<ProgramResult>((resolve) => {
    let settled = false;
    let timedOut = false;
    let cancelled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let spawnError: Error | null = null;
    const timers: NodeJS.Timeout[] = [];

    const fail = (message: string, extra: Partial<ProgramResult> = {}): ProgramResult => ({
      status: 'failed', value: null, metrics: {}, error: withStderr(message, stderr.text(), stderr.truncated),
      seconds: (performance.now() - started) / 1000, exitCode, exitSignal, timedOut, cancelled, stderrTail: stderr.text(), ...extra,
    });

    if (signal?.aborted) {
      cancelled = true;
      resolve(fail('cancelled before the program started'));
      return;
    }

    const child = spawn(argv[0], argv.slice(1), {
      shell: false,
      cwd: program.cwd,
      env: programEnv(program, trialNumber, seed, options.baseEnv),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: kill(-pid) reaches grandchildren
      windowsHide: true,
    });

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch {
          /* already gone */
        }
      }
    };
    let terminating = false;
    const terminate = () => {
      if (terminating) return;
      terminating = true;
      killGroup('SIGTERM');
      const t = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
      t.unref();
      timers.push(t);
    };

    const onAbort = () => {
      if (settled) return;
      cancelled = true;
      terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const timeout = setTimeout(() => {
      timedOut = true;
      terminate();
    }, program.timeoutSeconds * 1000);
    timers.push(timeout);

    const finish = (stragglers = false) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      // The child exited but something it started still holds stdout/stderr: the group is still
      // alive (so its id cannot have been reused) and goes with it.
      if (stragglers) killGroup('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome());
    };

    const outcome = (): ProgramResult => {
      const cmd = argv[0];
      if (spawnError) {
        const code = (spawnError as NodeJS.ErrnoException).code;
        return fail(`could not start ${JSON.stringify(cmd)} in ${program.cwd}: ${code ?? spawnError.message}${code === 'ENOENT' ? ' (not found on PATH or in the working directory)' : ''}`);
      }
      if (cancelled) return fail('cancelled: the program was stopped');
      if (timedOut) return fail(`timed out after ${program.timeoutSeconds} s (SIGTERM, then SIGKILL after ${killGraceMs / 1000} s)`);
      const parsed = parseMetricsLine(stdout.text());
      const metrics = parsed.ok ? parsed.metrics : {};
      if (exitSignal) return fail(`${program.name} was killed by ${exitSignal}`, { metrics });
      if (exitCode !== 0) return fail(`${program.name} exited with code ${exitCode}`, { metrics });
      if (!parsed.ok) return fail(`${program.name}: ${parsed.error}${stdout.truncated ? ` (stdout over ${STDOUT_LIMIT_BYTES / 1024 / 1024} MiB was cut)` : ''}`);
      if (!(metric in parsed.raw)) {
        const keys = Object.keys(parsed.raw);
        return fail(`${program.name} did not report metric "${metric}"; its last line has ${keys.length ? keys.map((k) => JSON.stringify(k)).join(', ') : 'no keys'}`, { metrics });
      }
      const v = parsed.raw[metric];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return fail(`${program.name} reported metric "${metric}" as ${describe(v)}, not a finite number`, { metrics });
      }
      return {
        status: 'completed', value: v, metrics, error: null, seconds: (performance.now() - started) / 1000,
        exitCode, exitSignal, timedOut, cancelled, stderrTail: stderr.text(),
      };
    };

    child.on('error', (err) => {
      // Spawn failure (ENOENT, EACCES...), or a failed kill; only the former ends the run.
      if (child.pid === undefined) {
        spawnError = err;
        finish();
      }
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (onStdoutLine) {
        try {
          onStdoutLine(chunk);
        } catch {
          /* a progress callback never breaks the run */
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      const t = setTimeout(() => finish(true), CLOSE_GRACE_MS);
      t.unref();
      timers.push(t);
    });
    child.on('close', (code, sig) => {
      if (exitCode === null && exitSignal === null) {
        exitCode = code;
        exitSignal = sig;
      }
      finish();
    });

    // The program may exit without reading stdin (EPIPE): that is its business, not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
