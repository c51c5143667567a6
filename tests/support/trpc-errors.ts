/** What createCaller rejects with: a TRPCError (its code, and the ValidationError issues as its cause). */
export interface TRPCError extends Error {
  code: string;
}

/** The TRPCError a call fails with (and a test failure when it does not fail). */
export async function trpcError(p: Promise<unknown>): Promise<TRPCError> {
  try {
    await p;
  } catch (e) {
    // Checked by name: @trpc/server is web's dependency, not resolvable from tests/.
    if (e instanceof Error && e.name === 'TRPCError') return e as TRPCError;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The fields a refused call names. */
export const fieldsOf = (err: TRPCError) => (err.cause as unknown as { issues: Array<{ field: string }> }).issues.map((i) => i.field);
