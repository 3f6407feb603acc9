-- CreateEnum
CREATE TYPE "update_receipt_status" AS ENUM ('in_progress', 'done', 'failed', 'set_aside');

-- AlterTable
ALTER TABLE "case" ADD COLUMN     "anonymised_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "update_receipt" (
    "bot_id" BIGINT NOT NULL,
    "update_id" BIGINT NOT NULL,
    "status" "update_receipt_status" NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "claim_token" UUID,
    "lease_until" TIMESTAMP(3),
    "first_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "update_receipt_pkey" PRIMARY KEY ("bot_id","update_id")
);

-- CreateIndex
CREATE INDEX "update_receipt_first_seen_at_idx" ON "update_receipt"("first_seen_at");

-- CreateIndex
CREATE INDEX "case_status_closed_at_idx" ON "case"("status", "closed_at");

