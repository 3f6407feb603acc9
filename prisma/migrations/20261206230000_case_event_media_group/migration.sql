-- AlterTable: a resident's addition to a case remembers the Telegram album it came with, so that the album's
-- later parts join the same event (one addition, acknowledged once).
ALTER TABLE "case_event" ADD COLUMN "media_group_id" TEXT;
