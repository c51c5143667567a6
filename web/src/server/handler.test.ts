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
