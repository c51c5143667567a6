-- Pruning of training runs (issue #14, item 6): a trial the study's pruner stopped early ends
-- `pruned` (counted on the study row), and the intermediate values a command program prints
-- (one per step) are kept keyed by (trial, step), so a retried activity that reports from step 0
-- again overwrites instead of duplicating. The pruners compare all trials of a study at one step:
-- (study_id, step) serves those queries without a join.
-- (ADD VALUE runs in the migration's transaction; nothing below uses the new value.)
ALTER TYPE "TrialStatus" ADD VALUE 'pruned';

ALTER TABLE "study" ADD COLUMN "trials_pruned" INTEGER NOT NULL DEFAULT 0;

CREATE TABLE "trial_intermediate" (
    "trial_id" UUID NOT NULL,
    "study_id" UUID NOT NULL,
    "step" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "trial_intermediate_pkey" PRIMARY KEY ("trial_id","step")
);

CREATE INDEX "trial_intermediate_study_id_step_idx" ON "trial_intermediate"("study_id", "step");

ALTER TABLE "trial_intermediate" ADD CONSTRAINT "trial_intermediate_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trial"("id") ON DELETE CASCADE ON UPDATE CASCADE;
