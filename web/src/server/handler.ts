import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { StepwiseService } from '@stepwise/service/service-types';
import { appRouter } from './router';
import { createContext } from './trpc';
import { resolveService } from './service-provider';
import { limitBody } from './body-limit';

export const TRPC_ENDPOINT = '/api/trpc';

/** The HTTP face of the router (Next route handler, tests with plain Request objects). */
export async function handleTrpcRequest(original: Request, service: () => StepwiseService = resolveService): Promise<Response> {
  const req = await limitBody(original);
  if (req instanceof Response) return req;
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req,
    router: appRouter,
    createContext: () => createContext({ service: service(), headers: req.headers }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path ?? '?'}:`, error.cause ?? error);
    },
  });
}
