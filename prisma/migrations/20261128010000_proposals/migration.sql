-- Adaptive strategies (Bayesian optimization) keep their warm-start state on the study and the
-- reason for each proposal (initial design, or the acquisition value) on the trial.
ALTER TABLE "study" ADD COLUMN "strategy_state" JSONB;
ALTER TABLE "trial" ADD COLUMN "proposal" JSONB;
