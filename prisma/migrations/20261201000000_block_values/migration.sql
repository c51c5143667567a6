-- Per-seed metric values of a seed block, where the workflow needs them back: an evaluate study's
-- race is rebuilt from its recorded blocks when the workflow continues as new, and the paired
-- comparisons between candidates are taken seed by seed.
ALTER TABLE "trial_block" ADD COLUMN "values" JSONB;
