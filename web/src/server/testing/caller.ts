import { TRPCError } from '@trpc/server';
import { createCaller, createContext } from '../router';
import { InMemoryStepwiseService } from './fake-service';

/**
 * The router over the in-memory service with a controllable clock: what the router tests call.
 * `now.t` moves the simulation forward.
 */
export function routerFixture(opts: { requiredToken?: string | null; token?: string | null; now?: { t: number } } = {}) {
  const now = opts.now ?? { t: Date.UTC(2025, 0, 1) };
  const service = new InMemoryStepwiseService({ clock: () => now.t, trialDurationMs: 100, queueDelayMs: 0 });
  const caller = createCaller(createContext({ service, requiredToken: opts.requiredToken ?? null, token: opts.token ?? null }));
  return { service, caller, now };
}

/** The TRPCError a call fails with (and a test failure when it does not fail). */
export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}
