import { TRPCClientError } from '@trpc/client';
import { errorCode } from '../index';

/**
 * Long-running CLI commands (`launch --watch`, `watch`) poll the server for minutes or hours; a web
 * restart, a proxy hiccup or a database failover in that time is not a reason to give up. Errors
 * that may go away when asked again are retried with backoff and reported once per outage;
 * everything else (bad input, missing study, wrong token) still ends the command.
 */

/** tRPC codes that mean "the server, or something behind it, is down or slow right now". */
const TRANSIENT_CODES = new Set([
  'INTERNAL_SERVER_ERROR', 'TIMEOUT', 'BAD_GATEWAY', 'SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'TOO_MANY_REQUESTS', 'CLIENT_CLOSED_REQUEST',
]);
const TRANSIENT_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Node / undici socket errors: nothing answered, or the connection broke. */
const NETWORK_CODE = /^(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ENOTFOUND|EAI_AGAIN|UND_ERR_[A-Z_]+)$/;
/** What the server says when Postgres is down, whether or not it maps the error for us. */
const DB_DOWN = /can't reach database server|\bP1001\b|DatabaseNotReachable|database (is )?unavailable/i;

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

function firstLine(s: string, max = 160): string {
  const line = s.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Why `err` is worth retrying ("server unreachable (ECONNREFUSED)", "HTTP 503", "database
 * unavailable"), or null when asking again would give the same answer.
 */
export function transientReason(err: unknown): string | null {
  const chain = causes(err);
  const message = chain.map((e) => (e as { message?: unknown })?.message).filter((m): m is string => typeof m === 'string').join('\n');
  const code = err instanceof TRPCClientError ? errorCode(err) : null;
  if (code !== null) {
    if (!TRANSIENT_CODES.has(code)) return null;
    if (DB_DOWN.test(message)) return 'database unavailable';
    if (/reading or writing the database/i.test(message)) return 'database error on the server';
    return `${code}${err instanceof Error && err.message ? `: ${firstLine(err.message)}` : ''}`;
  }
  for (const e of chain) {
    const c = (e as { code?: unknown })?.code;
    if (typeof c === 'string' && NETWORK_CODE.test(c)) return `server unreachable (${c})`;
  }
  const status = (err as { meta?: { response?: { status?: unknown } } })?.meta?.response?.status;
  if (typeof status === 'number') return TRANSIENT_HTTP.has(status) ? `HTTP ${status}` : null;
  if (/fetch failed|network error|socket hang up|other side closed/i.test(message)) return `server unreachable (${firstLine(message, 80)})`;
  // A reply that is not tRPC JSON at all: an HTML error page from a proxy, or a server mid-restart.
  if (err instanceof TRPCClientError && chain.some((e) => e instanceof SyntaxError)) return 'the server answered with something other than tRPC (restarting, or a proxy error page?)';
  return null;
}

/** Delay before retry number `attempt` (0-based): 0.5 s doubling up to `maxMs`. */
export function backoffMs(attempt: number, baseMs = 500, maxMs = 15_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
}

export interface ReconnectOptions {
  sleep: (ms: number) => Promise<void>;
  /** Called once when an outage begins, with the reason of its first failure. */
  onReconnecting?: (reason: string) => void;
  /** Called once when a call succeeds again after an outage. */
  onReconnected?: () => void;
  baseMs?: number;
  maxMs?: number;
}

/**
 * Wraps calls so that transient failures are retried forever (the user can press Ctrl-C) and
 * permanent ones are rethrown. The outage state spans calls: a poll loop that keeps failing
 * reports "reconnecting" once, not once per poll.
 */
export function createReconnector(opts: ReconnectOptions) {
  let failures = 0;
  return {
    get reconnecting() {
      return failures > 0;
    },
    async call<T>(fn: () => Promise<T>): Promise<T> {
      for (;;) {
        try {
          const result = await fn();
          if (failures > 0) {
            failures = 0;
            opts.onReconnected?.();
          }
          return result;
        } catch (err) {
          const reason = transientReason(err);
          if (reason === null) throw err;
          if (failures === 0) opts.onReconnecting?.(reason);
          await opts.sleep(backoffMs(failures, opts.baseMs, opts.maxMs));
          failures++;
        }
      }
    },
  };
}
