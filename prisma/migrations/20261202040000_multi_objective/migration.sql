-- Multi-objective studies: every objective's value per trial (in the config's `objectives` order;
-- `value` stays the first, so single-objective paths read it as before), and whether the trial is
-- on the study's Pareto front. recordTrialResults keeps the flag in the same statement as the
-- results it writes; the index makes reading the front (and the next write's comparison against
-- it) cost the size of the front, not of the study.
ALTER TABLE "trial" ADD COLUMN "objective_values" DOUBLE PRECISION[] NOT NULL DEFAULT ARRAY[]::DOUBLE PRECISION[];
ALTER TABLE "trial" ADD COLUMN "on_front" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "trial_study_id_on_front_idx" ON "trial"("study_id", "on_front");
