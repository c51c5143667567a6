-- The Pareto-front flag is true for a few trials of multi-objective studies and false for every
-- other trial: index only the front (a partial index), so that writes of single-objective
-- studies maintain no entry for it and the front is still read through the index.
DROP INDEX IF EXISTS "trial_study_id_on_front_idx";
CREATE INDEX "trial_on_front_idx" ON "trial"("study_id") WHERE "on_front";
