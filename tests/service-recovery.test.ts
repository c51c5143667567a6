import { afterAll, describe, expect, inject, it } from 'vitest';
import { handleTrpcRequest } from '../web/src/server/handler';
import { orchestratorService, type ServiceHandle } from '../web/src/server/service-provider';
import { portOpen, stopProcess, waitFor, type ManagedProcess } from '../infra/stack/processes';
import { startTemporal } from '../infra/stack/temporal';
import { TEST_ENV } from './support/env';

/**
 * The web server's service when Temporal is down at start-up: the real factory (the one
 * resolveService uses) and the real tRPC handler, against a Temporal port nobody listens on
 * yet. Callers get a 503 naming the address, not a 500 with a stack; once a dev server comes up
 * on that port, the same handle starts answering without a restart.
 */
const port = TEST_ENV.temporalPort + 100;
const address = `127.0.0.1:${port}`;
let temporal: ManagedProcess | null = null;
let handle: ServiceHandle | null = null;

afterAll(async () => {
  await handle?.close();
  if (temporal) await stopProcess(temporal);
});

interface ErrorBody {
  error: { json: { message: string; data: { code: string; httpStatus: number; stack?: string } } };
}

async function listStudies(h: ServiceHandle): Promise<Response> {
  return handleTrpcRequest(new Request('http://localhost/api/trpc/studies.list'), () => h.service);
}

describe('web service with Temporal down', () => {
  it('answers SERVICE_UNAVAILABLE naming the address, then recovers once Temporal is up', async () => {
    expect(await portOpen(port), `port ${port} must be free for this test (STEPWISE_TEST_TEMPORAL_PORT + 100)`).toBe(false);
    const cfg = {
      temporalAddress: address, namespace: 'default', taskQueue: 'recovery-orchestrator', computeQueue: 'recovery-compute',
      proposalsQueue: 'recovery-proposals', databaseUrl: inject('databaseUrl'),
    };
    handle = orchestratorService(() => cfg, { minDelayMs: 200, maxDelayMs: 1000 });

    // The first call waits for the first attempt (the connect deadline), then fails cleanly.
    const first = await listStudies(handle);
    expect(first.status).toBe(503);
    const body = (await first.json()) as ErrorBody;
    expect(body.error.json.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.json.message).toContain(`Temporal is unavailable at ${address}`);
    expect(body.error.json.data.stack).toBeUndefined();

    // Meanwhile every call is answered with the same error, not a cached rejection of another kind.
    const again = await listStudies(handle);
    expect(again.status).toBe(503);
    expect(((await again.json()) as ErrorBody).error.json.message).toContain(`Temporal is unavailable at ${address}`);

    temporal = await startTemporal({ port, uiPort: port + 1000, logFile: '.data/test/temporal-recovery.log' });
    expect(temporal).not.toBeNull();

    // Retries run behind the error with a backoff of at most a second: within the bound the
    // same handle connects, and the call goes through to Postgres.
    let ok: Response | null = null;
    await waitFor('the service to reconnect to Temporal', async () => {
      const res = await listStudies(handle!);
      if (res.status === 503) return false;
      ok = res;
      return true;
    }, 60_000, 250);
    expect(ok!.status).toBe(200);
    const page = (await ok!.json()) as { result: { data: { json: { items: unknown[]; nextCursor: string | null } } } };
    expect(Array.isArray(page.result.data.json.items)).toBe(true);

    // Connected for good: the next call needs no new attempt.
    expect((await listStudies(handle)).status).toBe(200);
  });
});
