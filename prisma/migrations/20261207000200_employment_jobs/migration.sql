-- Issue 15, the jobs window: each person of a household file has an employment status (the policy's "one
-- employed per household with labour"), notices may target job seekers and households with nobody employed,
-- and a job seeker's case carries the jobs the human-resources window recommends (encrypted).
CREATE TYPE "employment_status" AS ENUM ('employed_local', 'employed_away', 'looking', 'not_in_labour_force', 'student');

ALTER TABLE "resident" ADD COLUMN "employment_status" "employment_status";
ALTER TABLE "household_member" ADD COLUMN "employment_status" "employment_status";

ALTER TYPE "broadcast_audience" ADD VALUE 'job_seekers';
ALTER TYPE "broadcast_audience" ADD VALUE 'no_one_employed';

CREATE TABLE "job_recommendation" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "job_cipher" BYTEA NOT NULL,
    "sent_by" BIGINT,
    "sent_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "interested_at" TIMESTAMP(3),

    CONSTRAINT "job_recommendation_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "job_recommendation_case_id_position_key" ON "job_recommendation"("case_id", "position");

ALTER TABLE "job_recommendation" ADD CONSTRAINT "job_recommendation_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;
