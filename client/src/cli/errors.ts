import { TRPCClientError } from '@trpc/client';
import { errorCode, errorIssues } from '../index';
import { ConfigFileError } from './config-file';
import { UsageError } from './args';

/** What the user reads when a command fails: field-level lines for bad input, a hint for the rest. */
export function describeError(err: unknown, ctx: { url: string }): string[] {
  if (err instanceof ConfigFileError || err instanceof UsageError) return [`error: ${err.message}`];
  if (err instanceof TRPCClientError) {
    const issues = errorIssues(err);
    if (issues.length > 0) return ['error: invalid input', ...issues.map((i) => `  ${i.field}: ${i.message}`)];
    const code = errorCode(err);
    if (code === 'UNAUTHORIZED') return [`error: ${err.message}`, '  set STEPWISE_API_TOKEN (or pass --token) to the server\'s token'];
    if (code === 'NOT_FOUND') return [`error: ${err.message}`];
    // fetch failures nest the reason: TRPCClientError → TypeError('fetch failed') → Error{code}.
    const inner = (err.cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
    if (code === null && (inner || /fetch failed/i.test(err.message))) {
      const why = inner?.code ?? inner?.message ?? err.message;
      return [`error: cannot reach ${ctx.url} (${why})`, '  is the stack up (npm run up)? set STEPWISE_URL to point elsewhere'];
    }
    return [`error: ${err.message}${code ? ` (${code})` : ''}`];
  }
  return [`error: ${err instanceof Error ? err.message : String(err)}`];
}
