import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { NotFoundError, ValidationError } from '@stepwise/service/service-types';

/** A field-level problem: `field` is a dotted config path ("budget.parallel"), or "(input)". */
export interface FieldIssue {
  field: string;
  message: string;
}

// Duck-typed as well as instanceof: the service may come from another copy of the module
// (bundler chunks, a test double), and an error must never lose its field list on the way.
function isValidationError(e: unknown): e is ValidationError {
  return (
    e instanceof ValidationError ||
    (e instanceof Error && e.name === 'ValidationError' && Array.isArray((e as { issues?: unknown }).issues))
  );
}

function isNotFoundError(e: unknown): e is NotFoundError {
  return e instanceof NotFoundError || (e instanceof Error && e.name === 'NotFoundError');
}

function isZodLikeError(e: unknown): e is { issues: Array<{ path: ReadonlyArray<PropertyKey | { key: PropertyKey }>; message: string }> } {
  if (!(e instanceof Error) || !Array.isArray((e as { issues?: unknown }).issues)) return false;
  return (e as unknown as { issues: unknown[] }).issues.every(
    (i) => typeof i === 'object' && i !== null && Array.isArray((i as { path?: unknown }).path) && typeof (i as { message?: unknown }).message === 'string',
  );
}

export function joinPath(path: ReadonlyArray<PropertyKey | { key: PropertyKey }>, prefix = ''): string {
  const parts = path.map((p) => String(typeof p === 'object' && p !== null ? p.key : p));
  const joined = [prefix, ...parts].filter((s) => s.length > 0).join('.');
  return joined.length > 0 ? joined : '(input)';
}

export function issuesFromZod(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => ({ field: joinPath(i.path, prefix), message: i.message }));
}

export function formatFieldIssues(issues: FieldIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}

/** BAD_REQUEST carrying field-level issues in its cause (the error formatter copies them to `data`). */
export function badRequest(issues: FieldIssue[]): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message: formatFieldIssues(issues), cause: new ValidationError(issues) });
}

/**
 * The service could not reach Temporal (down, or not up yet). A 503 naming the address, not a
 * 500: the request was fine and the same call works once the connection is back.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  constructor(readonly address: string, readonly retryInMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const next = retryInMs > 0 ? `next attempt in ${Math.ceil(retryInMs / 1000)}s` : 'reconnecting now';
    super(`Temporal is unavailable at ${address} (${reason}); the server keeps retrying (${next})`, { cause });
  }
}

function isServiceUnavailableError(e: unknown): e is ServiceUnavailableError {
  return e instanceof ServiceUnavailableError || (e instanceof Error && e.name === 'ServiceUnavailableError');
}

function isInvalidCursorError(e: unknown): e is Error {
  return e instanceof Error && e.name === 'InvalidCursorError';
}

interface FailureLike extends Error {
  cause?: unknown;
  type?: string | null;
  nonRetryable?: boolean;
}

/** The chain of a Temporal failure, outermost first (WorkflowFailedError -> ActivityFailure -> ...). */
function causeChain(e: unknown): FailureLike[] {
  const chain: FailureLike[] = [];
  for (let c: unknown = e; c instanceof Error && chain.length < 10; c = (c as FailureLike).cause) chain.push(c as FailureLike);
  return chain;
}

/**
 * A workflow the API ran on the caller's behalf (samples.grid) failed. Temporal's outer message
 * is only "Workflow execution failed"; the reason is at the end of the cause chain. A failure the
 * worker marked non-retryable is about the request (unknown model, bad input): a 400 with that
 * reason. A timeout means no compute worker answered. Anything else keeps its 500, with the reason.
 */
function workflowFailure(e: FailureLike): TRPCError {
  const chain = causeChain(e);
  const root = chain[chain.length - 1];
  const app = [...chain].reverse().find((c) => c.name === 'ApplicationFailure');
  if (app?.nonRetryable) {
    const m = /^([A-Za-z]+): (.*)$/s.exec(app.message);
    const field = m && ['model', 'preset', 'nfe', 'spacing', 'guidance', 'label', 'count', 'seed'].includes(m[1]) ? m[1] : '(input)';
    return badRequest([{ field, message: m && field !== '(input)' ? m[2] : app.message }]);
  }
  if (chain.some((c) => c.name === 'TimeoutFailure')) {
    return new TRPCError({ code: 'GATEWAY_TIMEOUT', message: `no compute worker finished the request in time (${root.message}); is a compute worker running?`, cause: e });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: `the compute request failed: ${root.message}`, cause: e });
}

/** Translates the service's typed errors; anything else stays as it is (INTERNAL_SERVER_ERROR). */
export function toTRPCError(e: unknown): unknown {
  if (e instanceof TRPCError) return e;
  if (isValidationError(e)) return badRequest(e.issues);
  if (isNotFoundError(e)) return new TRPCError({ code: 'NOT_FOUND', message: e.message, cause: e });
  if (isServiceUnavailableError(e)) return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: e.message, cause: e });
  if (isInvalidCursorError(e)) return badRequest([{ field: 'cursor', message: e.message.replace(/^cursor: /, '') }]);
  if (e instanceof Error && e.name === 'WorkflowFailedError') return workflowFailure(e);
  return e;
}

/**
 * Database driver errors carry the query and Prisma's internals; they go to the server log, and
 * the caller gets a plain sentence. (Bad ids and cursors never get this far: the data layer
 * checks them first.)
 */
export function isDatabaseError(e: unknown): boolean {
  return causeChain(e).some((c) => /^(PrismaClient|DriverAdapter)/.test(c.name) || /^Prisma/.test(c.constructor?.name ?? ''));
}

export const DATABASE_ERROR_MESSAGE = 'internal error while reading or writing the database; the server log has the details';

/** Field issues carried by an error, for the error formatter: ours, or a failed input parse. */
export function issuesOf(error: TRPCError): FieldIssue[] | null {
  const cause = error.cause;
  if (isValidationError(cause)) return cause.issues;
  if (error.code === 'BAD_REQUEST' && isZodLikeError(cause)) return cause.issues.map((i) => ({ field: joinPath(i.path), message: i.message }));
  return null;
}
