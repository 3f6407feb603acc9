-- Residents registered at the service window without Telegram (telegram_id null, consent recorded by the
-- clerk), and the "to tell" items: what such a resident must be told by phone or at the window.
CREATE TYPE "tell_how" AS ENUM ('phone', 'window');

-- AlterTable
ALTER TABLE "resident" ADD COLUMN     "consent_recorded_by" BIGINT,
ALTER COLUMN "telegram_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "resident_tell" (
    "id" UUID NOT NULL,
    "resident_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "params" JSONB NOT NULL DEFAULT '{}',
    "event_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "told_at" TIMESTAMP(3),
    "told_by" BIGINT,
    "told_how" "tell_how",

    CONSTRAINT "resident_tell_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "resident_tell_told_at_created_at_idx" ON "resident_tell"("told_at", "created_at");

-- CreateIndex
CREATE INDEX "resident_tell_case_id_idx" ON "resident_tell"("case_id");

-- CreateIndex
CREATE INDEX "resident_tell_resident_id_idx" ON "resident_tell"("resident_id");

-- AddForeignKey
ALTER TABLE "resident_tell" ADD CONSTRAINT "resident_tell_resident_id_fkey" FOREIGN KEY ("resident_id") REFERENCES "resident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "resident_tell" ADD CONSTRAINT "resident_tell_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

