import type { Db } from '@stepwise/db';
import type { ServiceContext } from './context';
import { getStudy } from './get-study';
import { listTrials, type ListTrialsInput, type TrialPage } from './list-trials';
import type { StudyDetail } from './service-types';

export interface StudySnapshotInput {
  id: string;
  /** The page of trials the table shows (its sort, filter and cursor). */
  trials: Omit<ListTrialsInput, 'studyId'>;
}

export interface StudySnapshot {
  study: StudyDetail;
  trials: TrialPage;
  /** The study's notes (null when none). */
  notes: string | null;
}

/**
 * Everything a study page shows, read in one REPEATABLE READ transaction, so every panel agrees:
 * the header's best trial is completed in the table too, and the progress counts match the rows.
 * (Separate queries, polled at different moments, showed "5/16" beside six completed trials.)
 * Workflow health comes from Temporal's cached view, as in getStudy.
 */
export function getStudySnapshot(ctx: ServiceContext) {
  return async ({ id, trials }: StudySnapshotInput): Promise<StudySnapshot> =>
    ctx.db.$transaction(
      async (tx) => {
        // The use cases take the client; inside the transaction they read through it unchanged.
        const inTx = { ...ctx, db: tx as unknown as Db };
        const study = await getStudy(inTx)(id);
        const page = await listTrials(inTx)({ ...trials, studyId: id });
        const row = await tx.study.findUnique({ where: { id }, select: { notes: true } });
        return { study, trials: page, notes: row?.notes ?? null };
      },
      { isolationLevel: 'RepeatableRead', timeout: 15_000 },
    );
}
