-- CreateEnum
CREATE TYPE "StudyKind" AS ENUM ('grid', 'random', 'bayesopt', 's3', 'evaluate');
CREATE TYPE "StudyStatus" AS ENUM ('queued', 'running', 'paused', 'completed', 'failed', 'cancelled');
CREATE TYPE "TrialStatus" AS ENUM ('pending', 'running', 'completed', 'failed', 'cancelled');
CREATE TYPE "StudySource" AS ENUM ('dashboard', 'client', 'schedule');
CREATE TYPE "ModelKind" AS ENUM ('onnx', 'gmm');

-- CreateTable
CREATE TABLE "model" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ModelKind" NOT NULL,
    "uri" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "dims" INTEGER[],
    "noise_schedule" TEXT NOT NULL,
    "prediction" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "model_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "study" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "StudyKind" NOT NULL,
    "config" JSONB NOT NULL,
    "status" "StudyStatus" NOT NULL DEFAULT 'queued',
    "workflow_id" TEXT,
    "source" "StudySource" NOT NULL,
    "schedule_id" UUID,
    "metric" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "trials_total" INTEGER NOT NULL,
    "trials_completed" INTEGER NOT NULL DEFAULT 0,
    "trials_failed" INTEGER NOT NULL DEFAULT 0,
    "trials_cancelled" INTEGER NOT NULL DEFAULT 0,
    "best_value" DOUBLE PRECISION,
    "best_trial_number" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "study_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "trial" (
    "id" UUID NOT NULL,
    "study_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "params" JSONB NOT NULL,
    "status" "TrialStatus" NOT NULL DEFAULT 'pending',
    "value" DOUBLE PRECISION,
    "stderr" DOUBLE PRECISION,
    "ci_low" DOUBLE PRECISION,
    "ci_high" DOUBLE PRECISION,
    "n" INTEGER,
    "cost_samples" INTEGER,
    "cost_nfe" INTEGER,
    "cost_seconds" DOUBLE PRECISION,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "worker" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "trial_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "trial_block" (
    "trial_id" UUID NOT NULL,
    "block_index" INTEGER NOT NULL,
    "seed_start" INTEGER NOT NULL,
    "seed_end" INTEGER NOT NULL,
    "stats" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "trial_block_pkey" PRIMARY KEY ("trial_id","block_index")
);

CREATE TABLE "rerun_schedule" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "template" JSONB NOT NULL,
    "temporal_schedule_id" TEXT NOT NULL,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "last_run_at" TIMESTAMPTZ(3),
    "next_run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "rerun_schedule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "model_name_key" ON "model"("name");
CREATE UNIQUE INDEX "study_workflow_id_key" ON "study"("workflow_id");
CREATE INDEX "study_created_at_id_idx" ON "study"("created_at" DESC, "id");
CREATE INDEX "study_schedule_id_idx" ON "study"("schedule_id");
CREATE UNIQUE INDEX "trial_study_id_number_key" ON "trial"("study_id", "number");
CREATE INDEX "trial_study_id_status_idx" ON "trial"("study_id", "status");
CREATE INDEX "trial_study_id_value_idx" ON "trial"("study_id", "value");
CREATE INDEX "trial_study_id_finished_at_idx" ON "trial"("study_id", "finished_at");
CREATE UNIQUE INDEX "rerun_schedule_temporal_schedule_id_key" ON "rerun_schedule"("temporal_schedule_id");

-- AddForeignKey
ALTER TABLE "study" ADD CONSTRAINT "study_schedule_id_fkey" FOREIGN KEY ("schedule_id") REFERENCES "rerun_schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "trial" ADD CONSTRAINT "trial_study_id_fkey" FOREIGN KEY ("study_id") REFERENCES "study"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "trial_block" ADD CONSTRAINT "trial_block_trial_id_fkey" FOREIGN KEY ("trial_id") REFERENCES "trial"("id") ON DELETE CASCADE ON UPDATE CASCADE;
