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

export function errorMessage(err: unknown): string {
  const m = (err as ErrorLike | null)?.message;
  return typeof m === 'string' && m.length > 0 ? m : 'something went wrong';
}
