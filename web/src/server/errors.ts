import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import { NotFoundError, ValidationError } from '@stepwise/orchestrator/service-types';

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

/** Translates the service's typed errors; anything else stays as it is (INTERNAL_SERVER_ERROR). */
export function toTRPCError(e: unknown): unknown {
  if (e instanceof TRPCError) return e;
  if (isValidationError(e)) return badRequest(e.issues);
  if (isNotFoundError(e)) return new TRPCError({ code: 'NOT_FOUND', message: e.message, cause: e });
  return e;
}

/** Field issues carried by an error, for the error formatter: ours, or a failed input parse. */
export function issuesOf(error: TRPCError): FieldIssue[] | null {
  const cause = error.cause;
  if (isValidationError(cause)) return cause.issues;
  if (error.code === 'BAD_REQUEST' && isZodLikeError(cause)) return cause.issues.map((i) => ({ field: joinPath(i.path), message: i.message }));
  return null;
}
