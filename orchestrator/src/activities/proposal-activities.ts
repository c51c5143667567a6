import { Context } from '@temporalio/activity';
import type { NewTrial } from '@stepwise/core';
import type { Db } from '@stepwise/db';
import { proposeTrials } from './propose-trials';
import { createS3Activities } from './s3-activities';

/**
 * Activities of the proposals task queue: CPU-heavy proposal computation (Bayesian optimization;
 * the S^3 search's screening and predictor training) in its own worker process, so a long fit never
 * delays workflow tasks and never runs inside a database transaction.
 */
export function createProposalActivities(db: Db) {
  const heartbeat = () => Context.current().heartbeat();
  return {
    /** Adaptive proposals, recorded (optimistically, no lock while computing) before they are returned. */
    async proposeTrials(input: { studyId: string; numbers: number[] }): Promise<NewTrial[]> {
      return proposeTrials(db, input.studyId, input.numbers, { heartbeat });
    },
    ...createS3Activities(db, heartbeat),
  };
}

export type ProposalActivities = ReturnType<typeof createProposalActivities>;
