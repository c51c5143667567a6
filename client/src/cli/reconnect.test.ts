import { describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { InMemoryStepwiseService, handleTrpcRequest, unusedPort } from '@stepwise/web/testing';
import type { StepwiseService } from '@stepwise/service/service-types';
import { createStepwiseClient } from '../index';
import { runCli, type CliIO } from './program';
import { backoffMs, createReconnector, transientReason } from './reconnect';
import { healthNotice, statusText } from './watch';

const BRANIN_YAML = `
name: branin-reconnect
kind: random
objective:
  type: function
  function: branin
budget:
  trials: 12
  parallel: 4
seed: 3
`;

/** A tRPC error exactly as the client builds it from a server's error answer. */
function trpcError(code: string, message: string, httpStatus = 500): TRPCClientError<never> {
  return TRPCClientError.from({ error: { message, code: -32603, data: { code, httpStatus } } }) as TRPCClientError<never>;
}

/** What undici throws when nothing listens: TypeError('fetch failed') caused by a socket error. */
function fetchFailed(code = 'ECONNREFUSED'): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:3000`), { code }) });
}

const PRISMA_DOWN = "\nInvalid `db.study.findUnique()` invocation in\n/app/prisma/src/studies.ts:83:19\n\n→ 83   return db.study.findUnique(\nCan't reach database server at 127.0.0.1:5432";

describe('transientReason', () => {
  it('retries what a restart, a proxy or a database outage produces', async () => {
    // A real client against a port nobody listens on: the genuine network error chain.
    const closed = createStepwiseClient({ url: `http://127.0.0.1:${await unusedPort()}` });
    const refused = await closed.studies.list.query({ limit: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect(transientReason(refused)).toMatch(/^server unreachable \(ECONN(REFUSED|RESET)\)$/);
    expect(transientReason(TRPCClientError.from(fetchFailed('ECONNRESET')))).toBe('server unreachable (ECONNRESET)');
    expect(transientReason(trpcError('INTERNAL_SERVER_ERROR', PRISMA_DOWN))).toBe('database unavailable');
    expect(transientReason(trpcError('SERVICE_UNAVAILABLE', 'database unavailable, retrying', 503))).toBe('database unavailable');
    expect(transientReason(trpcError('INTERNAL_SERVER_ERROR', 'internal error while reading or writing the database; the server log has the details'))).toBe('database error on the server');
    expect(transientReason(trpcError('TIMEOUT', 'took too long', 408))).toBe('TIMEOUT: took too long');
    expect(transientReason(trpcError('BAD_GATEWAY', 'upstream', 502))).toBe('BAD_GATEWAY: upstream');
    // An HTML error page from a proxy is not JSON: the client fails parsing it.
    const html = TRPCClientError.from(new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON'));
    expect(transientReason(html)).toMatch(/other than tRPC/);
  });

  it('gives up on answers that asking again cannot change', () => {
    expect(transientReason(trpcError('NOT_FOUND', 'study x not found', 404))).toBeNull();
    expect(transientReason(trpcError('UNAUTHORIZED', 'invalid API token', 401))).toBeNull();
    expect(transientReason(trpcError('BAD_REQUEST', 'id: an id is required', 400))).toBeNull();
    expect(transientReason(trpcError('FORBIDDEN', 'no', 403))).toBeNull();
    expect(transientReason(new Error('cannot read b.yaml'))).toBeNull();
    expect(transientReason(TRPCClientError.from(new Error('something odd')))).toBeNull();
  });
});

describe('createReconnector', () => {
  it('reports an outage once, retries with growing delays and reports the recovery', async () => {
    const events: string[] = [];
    const delays: number[] = [];
    const r = createReconnector({
      sleep: async (ms) => void delays.push(ms),
      onReconnecting: (why) => events.push(`reconnecting (${why})`),
      onReconnected: () => events.push('reconnected'),
    });
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls <= 4) throw TRPCClientError.from(fetchFailed());
      return calls;
    };
    expect(await r.call(flaky)).toBe(5);
    expect(events).toEqual(['reconnecting (server unreachable (ECONNREFUSED))', 'reconnected']);
    expect(delays).toEqual([backoffMs(0), backoffMs(1), backoffMs(2), backoffMs(3)]);
    expect(r.reconnecting).toBe(false);
    // Healthy calls say nothing.
    expect(await r.call(async () => 'ok')).toBe('ok');
    expect(events).toHaveLength(2);
  });

  it('rethrows a permanent error at once, even in the middle of an outage', async () => {
    const events: string[] = [];
    const r = createReconnector({ sleep: async () => {}, onReconnecting: (why) => events.push(why) });
    let calls = 0;
    const err = await r
      .call(async () => {
        calls++;
        if (calls === 1) throw trpcError('SERVICE_UNAVAILABLE', 'down', 503);
        throw trpcError('NOT_FOUND', 'study x not found', 404);
      })
      .catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect((err as Error).message).toBe('study x not found');
    expect(events).toEqual(['SERVICE_UNAVAILABLE: down']);
  });

  it('backs off exponentially up to a ceiling', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(50)).toBe(15_000);
    expect(backoffMs(3, 100, 500)).toBe(500);
  });
});

describe('health in the CLI', () => {
  const stalled = { state: 'stalled' as const, reason: 'workflow task failing (attempt 9): [TMPRL1100] Nondeterminism error', since: null };
  it('says "stalled" once with the reason and the fix, and when it recovers', () => {
    expect(healthNotice('st_1', undefined, { state: 'ok', reason: null, since: null })).toBeNull();
    expect(healthNotice('st_1', undefined, stalled)).toBe(`stalled: ${stalled.reason}\n  \`stepwise cancel st_1\` terminates it and closes its trials`);
    expect(healthNotice('st_1', stalled, stalled)).toBeNull();
    expect(healthNotice('st_1', stalled, { state: 'ok', reason: null, since: null })).toBe('the workflow is making progress again');
    expect(statusText({ status: 'running', health: stalled })).toBe('running, STALLED');
    expect(statusText({ status: 'running' })).toBe('running');
  });
});

/**
 * `stepwise watch` through the real router and HTTP serialization, with a network that fails
 * the way real ones do for a while: a proxy's HTML 502, refused connections, then a database
 * outage reported by the server itself.
 */
describe('stepwise watch across an outage', () => {
  function harness(failures: Array<'html502' | 'refused' | 'db-down'>) {
    const now = { t: Date.UTC(2025, 0, 1) };
    const service = new InMemoryStepwiseService({ clock: () => now.t, trialDurationMs: 100, queueDelayMs: 0 });
    let dbDown = 0;
    // The service as the router sees it: getStudy fails like Prisma does while Postgres is down.
    const flaky = new Proxy(service as unknown as StepwiseService, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'getStudy' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
        return async (...args: unknown[]) => {
          if (dbDown > 0) {
            dbDown--;
            throw new Error(PRISMA_DOWN);
          }
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const queue = [...failures];
    let watching = false;
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = {
      env: {},
      out: async (s) => void out.push(s),
      err: (s) => void err.push(s),
      readFile: async () => BRANIN_YAML,
      sleep: async () => void (now.t += 100),
      createClient: (conn) =>
        createStepwiseClient({
          ...conn,
          fetch: async (input, init) => {
            const req = new Request(input as string, init as RequestInit);
            if (watching && req.url.includes('studies.get')) {
              const next = queue.shift();
              if (next === 'html502') return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } });
              if (next === 'refused') throw fetchFailed();
              if (next === 'db-down') dbDown++;
            }
            return handleTrpcRequest(req, () => flaky);
          },
        }),
    };
    const run = async (...args: string[]) => {
      out.length = 0;
      err.length = 0;
      const code = await runCli(['node', 'stepwise', ...args], io);
      return { code, out: out.join(''), err: err.join('') };
    };
    return { run, service, startWatching: () => void (watching = true), left: () => queue.length };
  }

  it('prints "reconnecting" once per outage, "reconnected" after it, and still reports the result', async () => {
    const h = harness(['html502', 'refused', 'refused', 'db-down', 'db-down']);
    expect((await h.run('launch', 'b.yaml')).code).toBe(0);
    const id = [...h.service.studies.keys()][0];
    h.startWatching();
    const r = await h.run('watch', id);
    expect(h.left()).toBe(0);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^completed: best value = [\d.]+ \(trial #\d+\); 12 completed, 0 failed of 12\n$/);
    // One outage (all five failures in a row): one line each way, and no raw Prisma text.
    expect(r.err.match(/^reconnecting \(/gm)).toHaveLength(1);
    expect(r.err).toMatch(/^reconnecting \(the server answered with something other than tRPC/m);
    expect(r.err.match(/^reconnected$/gm)).toHaveLength(1);
    expect(r.err).not.toContain('Invalid `db.study');
  });

  it('still exits with the message on a permanent error', async () => {
    const h = harness([]);
    h.startWatching();
    const r = await h.run('watch', 'st_missing');
    expect(r.code).toBe(1);
    expect(r.err).toContain('study st_missing not found');
    expect(r.err).not.toContain('reconnecting');
  });
});
