import { describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { handleTrpcRequest } from './handler';
import { InMemoryStepwiseService } from './testing/fake-service';
import { routerFixture, trpcError } from './testing/caller';

/** Errors shaped as @temporalio/client and Prisma throw them (matched by name, as in errors.ts). */
function named<T extends object>(name: string, message: string, extra: T = {} as T): Error & T {
  const e = new Error(message) as Error & T;
  e.name = name;
  return Object.assign(e, extra);
}
function workflowFailed(root: Error): Error {
  const activity = named('ActivityFailure', 'Activity task failed', { cause: root });
  return named('WorkflowFailedError', 'Workflow execution failed', { cause: activity });
}

const grid = { model: 'no-such-model', preset: 'ddim' as const, nfe: 5 };

describe('service failures as API errors', () => {
  it('answers a sample grid the worker refused with 400 and the reason, naming the field it starts with', async () => {
    const { service, caller } = routerFixture();
    service.renderSamples = async () => {
      throw workflowFailed(named('ApplicationFailure', "model: model file 'no-such-model' not found in /models", { type: 'ModelError', nonRetryable: true }));
    };
    const err = await trpcError(caller.samples.grid(grid));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe("model: model file 'no-such-model' not found in /models");
    service.renderSamples = async () => {
      throw workflowFailed(named('ApplicationFailure', 'the label is out of range for this model', { type: 'InvalidComputeInput', nonRetryable: true }));
    };
    expect((await trpcError(caller.samples.grid(grid))).message).toBe('(input): the label is out of range for this model');
  });

  it('keeps a transient compute failure a server error, but with the reason instead of "Workflow execution failed"', async () => {
    const { service, caller } = routerFixture();
    service.renderSamples = async () => {
      throw workflowFailed(named('ApplicationFailure', 'worker ran out of memory', { type: 'Error', nonRetryable: false }));
    };
    const err = await trpcError(caller.samples.grid(grid));
    expect(err.code).toBe('INTERNAL_SERVER_ERROR');
    expect(err.message).toBe('the compute request failed: worker ran out of memory');
    service.renderSamples = async () => {
      throw named('WorkflowFailedError', 'Workflow execution failed', { cause: named('TimeoutFailure', 'Workflow execution timed out') });
    };
    const timeout = await trpcError(caller.samples.grid(grid));
    expect(timeout.code).toBe('GATEWAY_TIMEOUT');
    expect(timeout.message).toMatch(/no compute worker finished the request in time .*is a compute worker running\?/);
  });

  it('answers a cursor the data layer refuses with 400 on the cursor field', async () => {
    const { service, caller } = routerFixture();
    service.listStudies = async () => {
      throw named('InvalidCursorError', 'cursor: not a cursor returned by this API; start again without one');
    };
    const err = await trpcError(caller.studies.list({ cursor: 'forged' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe('cursor: not a cursor returned by this API; start again without one');
  });

  it("never sends Prisma's text to the caller: a database failure is a plain 500 sentence", async () => {
    const service = new InMemoryStepwiseService();
    service.listSchedules = async () => {
      throw named('PrismaClientKnownRequestError', 'Invalid `prisma.rerunSchedule.findMany()` invocation: Inconsistent column data: Error creating UUID', { code: 'P2023' });
    };
    const res = await handleTrpcRequest(new Request('http://localhost/api/trpc/schedules.list'), () => service);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/prisma|UUID|invocation/i);
    const body = superjson.deserialize<unknown>((JSON.parse(text) as { error: { json: unknown; meta?: never } }).error as never) as { message: string };
    expect(body.message).toBe('internal error while reading or writing the database; the server log has the details');
  });
});

describe('__proto__ keys in request input', () => {
  it('refuses them with the path instead of letting superjson drop them silently', async () => {
    const service = new InMemoryStepwiseService();
    const body = '{"json":{"config":{"name":"e","kind":"evaluate","objective":{"type":"sampler","model":"gmm-2d"},"budget":{"trials":1},"candidates":[{"__proto__":{"nfe":3},"preset":"ddim"},{"preset":"ddim"}]}}}';
    const res = await handleTrpcRequest(new Request('http://localhost/api/trpc/studies.launch', { method: 'POST', headers: { 'content-type': 'application/json' }, body }), () => service);
    expect(res.status).toBe(400);
    const err = (JSON.parse(await res.text()) as { error: { json: { message: string; data: { issues: unknown } } } }).error.json;
    expect(err.data.issues).toEqual([{ field: 'config.candidates.0.__proto__', message: '"__proto__" cannot be a key (it would be dropped silently); rename it' }]);
    expect(service.calls.filter((c) => c.method === 'launchStudy')).toHaveLength(0);
  });
});
