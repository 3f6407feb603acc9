-- A reminder of an important notice, sent to the residents who have not read it (the console's follow-up).
ALTER TYPE "broadcast_audience" ADD VALUE 'unread';

ALTER TABLE "broadcast" ADD COLUMN "reminds_id" UUID;

CREATE INDEX "broadcast_reminds_id_created_at_idx" ON "broadcast"("reminds_id", "created_at");
