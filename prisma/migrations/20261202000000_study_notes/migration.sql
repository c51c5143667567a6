-- A researcher's free-text notes on a study (what was tried, why, what to do next), set from
-- the dashboard; NULL until someone writes some. The length limit is enforced by the service.
ALTER TABLE "study" ADD COLUMN "notes" TEXT;
