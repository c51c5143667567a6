import { describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { handleTrpcRequest } from './handler';
import { InMemoryStepwiseService } from './testing/fake-service';

const base = 'http://localhost/api/trpc';

function post(path: string, input: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${base}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(superjson.serialize(input)),
  });
}

describe('HTTP handler', () => {
  it('returns the field-level issues in error.data for an invalid launch', async () => {
    const service = new InMemoryStepwiseService();
    const res = await handleTrpcRequest(
      post('studies.launch', { config: { name: 'x', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 5, parallel: 2000 } } }),
      () => service,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string; issues: unknown } } } };
    expect(body.error.json.data.code).toBe('BAD_REQUEST');
    expect(body.error.json.message).toBe('budget.parallel: Too big: expected number to be <=1024');
    expect(body.error.json.data.issues).toEqual([{ field: 'budget.parallel', message: 'Too big: expected number to be <=1024' }]);
  });

  it('answers 401 without the configured token and 200 with it', async () => {
    const before = process.env.STEPWISE_API_TOKEN;
    process.env.STEPWISE_API_TOKEN = 'tok';
    try {
      const service = new InMemoryStepwiseService();
      const denied = await handleTrpcRequest(new Request(`${base}/schedules.list`), () => service);
      expect(denied.status).toBe(401);
      const allowed = await handleTrpcRequest(new Request(`${base}/schedules.list`, { headers: { authorization: 'Bearer tok' } }), () => service);
      expect(allowed.status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.STEPWISE_API_TOKEN;
      else process.env.STEPWISE_API_TOKEN = before;
    }
  });
});

describe('request body limit', () => {
  it('answers 413 for a body over 1 MiB, with or without a content-length, and never reaches the service', async () => {
    const service = new InMemoryStepwiseService();
    const big = JSON.stringify({ json: { config: { name: 'x'.repeat(1024 * 1024) } } });
    const declared = await handleTrpcRequest(new Request(`${base}/studies.launch`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, body: big }), () => service);
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        c.close();
      },
    });
    const chunked = await handleTrpcRequest(new Request(`${base}/studies.launch`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit), () => service);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { json: { message: string } } }).error.json.message).toBe('the request body is larger than 1024 KiB');
    expect(service.calls.filter((c) => c.method === 'launchStudy')).toHaveLength(0);
  });

  it('passes a body under the limit through unchanged', async () => {
    const service = new InMemoryStepwiseService();
    const res = await handleTrpcRequest(
      post('studies.launch', { config: { name: 'ok', kind: 'random', objective: { type: 'function', function: 'branin' }, budget: { trials: 2 } } }),
      () => service,
    );
    expect(res.status).toBe(200);
  });
});
