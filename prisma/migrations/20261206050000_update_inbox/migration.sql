-- AlterEnum
ALTER TYPE "update_receipt_status" ADD VALUE 'pending' BEFORE 'in_progress';

-- AlterTable
ALTER TABLE "update_receipt" ADD COLUMN     "chat_key" TEXT,
ADD COLUMN     "lang" TEXT,
ADD COLUMN     "payload" BYTEA,
ADD COLUMN     "sender" BIGINT;

-- CreateTable
CREATE TABLE "chat_lease" (
    "bot_id" BIGINT NOT NULL,
    "chat_key" TEXT NOT NULL,
    "token" UUID,
    "lease_until" TIMESTAMP(3),
    "knocks" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_lease_pkey" PRIMARY KEY ("bot_id","chat_key")
);

-- CreateIndex
CREATE INDEX "update_receipt_open_idx" ON "update_receipt"("bot_id", "chat_key", "update_id") WHERE (finished_at IS NULL);
