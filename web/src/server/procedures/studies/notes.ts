import { z } from 'zod';
import { procedure } from '../../trpc';
import { ZId } from '../../schemas';

// The service checks the text limits (length, control characters) and names the field; the
// schema only bounds what the server will read at all.
export const ZSetStudyNotesInput = z.object({ id: ZId, notes: z.string().max(100_000) });
export const ZSetStudyNotesOutput = z.object({ id: z.string(), notes: z.string().nullable() });

/** Replaces a study's notes (empty clears them). */
export const setStudyNotes = procedure
  .input(ZSetStudyNotesInput)
  .output(ZSetStudyNotesOutput)
  .mutation(({ ctx, input }) => ctx.service.setStudyNotes({ id: input.id, notes: input.notes }));
