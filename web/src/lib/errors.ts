/** Reading tRPC errors on the client without depending on the client class identity. */

export interface FieldIssue {
  field: string;
  message: string;
}

interface ErrorLike {
  message?: unknown;
  data?: { code?: unknown; issues?: unknown } | null;
}

export function errorCode(err: unknown): string | null {
  const code = (err as ErrorLike | null)?.data?.code;
  return typeof code === 'string' ? code : null;
}

export function isUnauthorized(err: unknown): boolean {
  return errorCode(err) === 'UNAUTHORIZED';
}

/** 4xx answers will not get better by asking again. */
export function isClientError(err: unknown): boolean {
  const code = errorCode(err);
  return code !== null && ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED'].includes(code);
}

export function fieldIssues(err: unknown): FieldIssue[] {
  const issues = (err as ErrorLike | null)?.data?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter(
    (i): i is FieldIssue => typeof i === 'object' && i !== null && typeof i.field === 'string' && typeof i.message === 'string',
  );
}

/**
 * What the server says when Postgres is down: Prisma's own message ("Can't reach database server",
 * with a source excerpt) from a server that passes it on, "database unavailable" from one that
 * maps outages, or the server's generic sentence for any database error. A poll that fails with
 * any of them is retried, and the user reads that the database is unavailable.
 */
const DB_DOWN = /can't reach database server|\bP1001\b|DatabaseNotReachable|database (is )?unavailable|ECONNREFUSED.*:5432/i;
const DB_ERROR = /reading or writing the database/i;
/** Prisma's invocation errors quote the calling source code: never shown to a user as they are. */
const PRISMA_INVOCATION = /Invalid `[^`]+` invocation/;
/** The browser's and Node's words for "no answer at all". */
const NETWORK_DOWN = /failed to fetch|fetch failed|networkerror|network request failed|load failed/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  const m = (err as ErrorLike | null)?.message;
  return typeof m === 'string' && DB_DOWN.test(m);
}

/** Any failure of the server's database, outage or not (the server keeps the details in its log). */
export function isDatabaseError(err: unknown): boolean {
  const m = (err as ErrorLike | null)?.message;
  return isDatabaseUnavailable(err) || (typeof m === 'string' && (DB_ERROR.test(m) || PRISMA_INVOCATION.test(m)));
}

/** No answer from the web server (it is restarting, or the network is down). */
export function isNetworkError(err: unknown): boolean {
  const m = (err as ErrorLike | null)?.message;
  return errorCode(err) === null && typeof m === 'string' && NETWORK_DOWN.test(m);
}

/** Errors that polling again may cure: outages of the server, the database or the network. */
export function isTransient(err: unknown): boolean {
  if (isDatabaseError(err) || isNetworkError(err)) return true;
  const code = errorCode(err);
  return code !== null && ['INTERNAL_SERVER_ERROR', 'TIMEOUT', 'BAD_GATEWAY', 'SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT', 'TOO_MANY_REQUESTS'].includes(code);
}

/** The last non-empty line of a Prisma invocation error: the reason, without the quoted source. */
function prismaReason(m: string): string {
  const lines = m.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(→\s*)?\d+\s/.test(l));
  return lines.at(-1) ?? 'database error';
}

/** A message for a failed action (mutations): plain words, never a raw Prisma dump. */
export function errorMessage(err: unknown): string {
  const m = (err as ErrorLike | null)?.message;
  if (isDatabaseUnavailable(err)) return 'Database unavailable; try again in a moment.';
  if (isNetworkError(err)) return 'Cannot reach the Stepwise server; try again in a moment.';
  if (typeof m === 'string' && PRISMA_INVOCATION.test(m)) return `Database error: ${prismaReason(m)}`;
  if (typeof m === 'string' && DB_ERROR.test(m)) return 'Database error; try again in a moment (the server log has the details).';
  return typeof m === 'string' && m.length > 0 ? m : 'something went wrong';
}

/** A message for a failed poll, which will be retried: says so for outages. */
export function queryErrorMessage(err: unknown): string {
  // A read that the database could not serve: from the user's side it is unavailable, and polling goes on.
  if (isDatabaseError(err)) return 'Database unavailable, retrying…';
  if (isNetworkError(err)) return 'Cannot reach the Stepwise server, retrying…';
  return errorMessage(err);
}
