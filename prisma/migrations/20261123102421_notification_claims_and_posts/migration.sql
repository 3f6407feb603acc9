-- AlterTable
ALTER TABLE "notification" ADD COLUMN     "claim_token" UUID,
ADD COLUMN     "message_id" INTEGER;

-- CreateIndex
CREATE INDEX "notification_case_id_kind_idx" ON "notification"("case_id", "kind");

-- CreateIndex
CREATE INDEX "notification_kind_created_at_idx" ON "notification"("kind", "created_at");

-- CreateIndex
CREATE INDEX "notification_telegram_id_status_idx" ON "notification"("telegram_id", "status");

