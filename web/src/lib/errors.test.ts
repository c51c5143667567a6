import { describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import superjson from 'superjson';
import { createDb } from '@stepwise/db';
import type { StepwiseService } from '@stepwise/service/service-types';
import type { AppRouter } from '../server/router';
import { InMemoryStepwiseService, handleTrpcRequest, unusedPort } from '../server/testing';
import { errorMessage, isClientError, isDatabaseError, isDatabaseUnavailable, isNetworkError, isTransient, queryErrorMessage } from './errors';

/** The error Prisma really throws when Postgres does not answer (P1001), from a client pointed at a closed port. */
async function realDatabaseDownError(): Promise<Error> {
  const db = createDb(`postgresql://stepwise@127.0.0.1:${await unusedPort()}/stepwise`, 1);
  try {
    await db.study.findMany({ take: 1 });
    throw new Error('expected the query to fail');
  } catch (err) {
    return err as Error;
  } finally {
    await db.$disconnect();
  }
}

/** A dashboard client whose server's service fails getStudy with `failure`, through the real router and HTTP serialization. */
function dashboardClient(failure: Error) {
  const service = new InMemoryStepwiseService();
  const failing = new Proxy(service as unknown as StepwiseService, {
    get(target, prop, receiver) {
      if (prop === 'getStudy') return async () => Promise.reject(failure);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: 'http://dashboard.test/api/trpc',
        transformer: superjson,
        fetch: async (input, init) => handleTrpcRequest(new Request(input as string, init as RequestInit), () => failing),
      }),
    ],
  });
}

describe('dashboard error messages', () => {
  it('a database outage reads "Database unavailable, retrying…", never Prisma\'s text, and is retried', async () => {
    const prisma = await realDatabaseDownError();
    expect(prisma.message).toMatch(/Invalid `.*` invocation/); // what the server would otherwise pass on
    const client = dashboardClient(prisma);
    const err = await client.studies.get.query({ id: 'st_1' }).catch((e: unknown) => e);
    // Whether the server passes Prisma's text on or replaces it, the user reads the same.
    expect((err as Error).message).not.toMatch(/^Database/);
    expect(isDatabaseError(err)).toBe(true);
    expect(isTransient(err)).toBe(true);
    expect(isClientError(err)).toBe(false);
    expect(queryErrorMessage(err)).toBe('Database unavailable, retrying…');
    expect(errorMessage(err)).toMatch(/^Database (unavailable|error); try again in a moment/);
    expect(errorMessage(err)).not.toContain('invocation');
  });

  it('each way a server may report the outage reads as one', () => {
    const raw = { message: `\nInvalid \`db.study.findUnique()\` invocation in\n/app/x.ts:1:1\n\nCan't reach database server at 127.0.0.1:5432`, data: { code: 'INTERNAL_SERVER_ERROR' } };
    const mapped = { message: 'database unavailable', data: { code: 'SERVICE_UNAVAILABLE' } };
    const generic = { message: 'internal error while reading or writing the database; the server log has the details', data: { code: 'INTERNAL_SERVER_ERROR' } };
    for (const e of [raw, mapped, generic]) {
      expect(isTransient(e)).toBe(true);
      expect(queryErrorMessage(e)).toBe('Database unavailable, retrying…');
    }
    expect(isDatabaseUnavailable(raw) && isDatabaseUnavailable(mapped)).toBe(true);
    expect(errorMessage(raw)).toBe('Database unavailable; try again in a moment.');
  });

  it('other Prisma errors keep their reason but lose the quoted source', async () => {
    const message = "\nInvalid `db.study.create()` invocation in\n/app/prisma/src/studies.ts:31:38\n\n  30   if (!input.workflowId)\n→ 31   return db.study.create(\nUnique constraint failed on the fields: (`workflow_id`)";
    const err = await dashboardClient(new Error(message)).studies.get.query({ id: 'st_1' }).catch((e: unknown) => e);
    expect(errorMessage(err)).toBe('Database error: Unique constraint failed on the fields: (`workflow_id`)');
  });

  it('tells an unreachable server from a refusal that will not change', async () => {
    const offline = { message: 'Failed to fetch', data: null }; // what the browser's fetch gives a TRPCClientError
    expect(isNetworkError(offline)).toBe(true);
    expect(isTransient(offline)).toBe(true);
    expect(queryErrorMessage(offline)).toBe('Cannot reach the Stepwise server, retrying…');
    const notFound = { message: 'study x not found', data: { code: 'NOT_FOUND' } };
    expect(isTransient(notFound)).toBe(false);
    expect(queryErrorMessage(notFound)).toBe('study x not found');
  });
});
