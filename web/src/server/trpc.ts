import { initTRPC, TRPCError } from '@trpc/server';
import { transformer } from './transformer';
import type { StepwiseService } from '@stepwise/service/service-types';
import { configuredToken, presentedToken, tokensMatch } from './auth';
import { ValidationError } from '@stepwise/service/service-types';
import { DATABASE_ERROR_MESSAGE, badRequest, formatFieldIssues, isDatabaseError, issuesOf, toTRPCError } from './errors';

export interface Context {
  service: StepwiseService;
  /** Token the caller presented (Bearer header or dashboard cookie), null when none. */
  token: string | null;
  /** Token the server requires; null when the API is open. */
  requiredToken: string | null;
}

export interface CreateContextOptions {
  service: StepwiseService;
  /** Request headers (route handler). */
  headers?: Headers | null;
  /** Presented token directly (tests, in-process callers); wins over headers. */
  token?: string | null;
  /** Defaults to env STEPWISE_API_TOKEN, read per request so rotation needs no rebuild. */
  requiredToken?: string | null;
}

export function createContext(opts: CreateContextOptions): Context {
  return {
    service: opts.service,
    token: opts.token !== undefined ? opts.token : presentedToken(opts.headers),
    requiredToken: opts.requiredToken !== undefined ? opts.requiredToken : configuredToken(),
  };
}

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const issues = issuesOf(error);
    const hide = error.code === 'INTERNAL_SERVER_ERROR' && isDatabaseError(error.cause);
    // An outage is not a bug: its message says everything, a stack trace would only add noise.
    const noStack = hide || error.code === 'SERVICE_UNAVAILABLE';
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: issues ? formatFieldIssues(issues) : hide ? DATABASE_ERROR_MESSAGE : shape.message,
      data: { ...(noStack ? data : shape.data), issues },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const requireToken = t.middleware(({ ctx, next }) => {
  if (ctx.requiredToken !== null && !tokensMatch(ctx.token, ctx.requiredToken)) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: ctx.token === null ? 'this server requires an API token (Authorization: Bearer <token>)' : 'invalid API token',
    });
  }
  return next();
});

const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const { code, cause } = result.error;
  // Errors that escaped as INTERNAL_SERVER_ERROR get their proper code; a code set on purpose stays.
  if (code === 'INTERNAL_SERVER_ERROR' && cause) {
    const mapped = toTRPCError(cause);
    if (mapped instanceof TRPCError) throw mapped;
  }
  // A failed input parse gets the same field-level message as a failed config validation, so
  // in-process callers (createCaller) see "budget.trials: ..." rather than zod's JSON dump.
  if (code === 'BAD_REQUEST') {
    const issues = issuesOf(result.error);
    if (issues && !(cause instanceof ValidationError)) throw badRequest(issues);
  }
  return result;
});

/** Every Stepwise procedure: token check first, then typed service errors mapped to tRPC codes. */
export const procedure = t.procedure.use(requireToken).use(mapServiceErrors);
