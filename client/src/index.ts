import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import superjson from 'superjson';
// Type-only: the client never loads the server (nor Next) at runtime.
import type { AppRouter } from '@stepwise/web/router';

export type { AppRouter };
export type StepwiseInputs = inferRouterInputs<AppRouter>;
export type StepwiseOutputs = inferRouterOutputs<AppRouter>;
export { TRPCClientError };

export const DEFAULT_URL = 'http://localhost:3000';

export interface StepwiseClientOptions {
  /** Base URL of the web app (STEPWISE_URL), e.g. http://localhost:3000; "/api/trpc" is appended unless present. */
  url?: string;
  /** API token (STEPWISE_API_TOKEN), sent as `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Custom fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/** http://host:3000 → http://host:3000/api/trpc (idempotent, trailing slashes ignored). */
export function trpcEndpoint(url: string = DEFAULT_URL): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/api/trpc') ? base : `${base}/api/trpc`;
}

export function createStepwiseClient(opts: StepwiseClientOptions = {}) {
  const token = opts.token ?? null;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: trpcEndpoint(opts.url),
        transformer: superjson,
        maxURLLength: 4000,
        fetch: opts.fetch,
        headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
      }),
    ],
  });
}

export type StepwiseClient = ReturnType<typeof createStepwiseClient>;

/** Field-level issues of a BAD_REQUEST answer ("budget.parallel: ..."), empty for other errors. */
export function errorIssues(err: unknown): Array<{ field: string; message: string }> {
  if (!(err instanceof TRPCClientError)) return [];
  const issues = (err.data as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Array<{ field: string; message: string }>) : [];
}

export function errorCode(err: unknown): string | null {
  if (!(err instanceof TRPCClientError)) return null;
  const code = (err.data as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : null;
}
