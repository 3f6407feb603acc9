-- CreateEnum
CREATE TYPE "broadcast_status" AS ENUM ('scheduled', 'sending', 'done', 'cancelled');

-- CreateEnum
CREATE TYPE "broadcast_audience" AS ENUM ('community', 'buildings', 'school_children', 'open_case');

-- CreateEnum
CREATE TYPE "broadcast_delivery_status" AS ENUM ('pending', 'claimed', 'sending', 'delivered', 'unreachable', 'failed', 'uncertain');

-- CreateTable
CREATE TABLE "broadcast" (
    "id" UUID NOT NULL,
    "community_code" TEXT NOT NULL,
    "author_telegram_id" BIGINT NOT NULL,
    "author_chat_id" BIGINT NOT NULL,
    "author_locale" TEXT NOT NULL,
    "text_zh" TEXT,
    "text_en" TEXT,
    "photo_file_id" TEXT,
    "audience" "broadcast_audience" NOT NULL,
    "building_ids" UUID[],
    "service_code" TEXT,
    "important" BOOLEAN NOT NULL,
    "status" "broadcast_status" NOT NULL DEFAULT 'scheduled',
    "scheduled_at" TIMESTAMP(3) NOT NULL,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "cancelled_at" TIMESTAMP(3),
    "recipient_count" INTEGER NOT NULL DEFAULT 0,
    "read_count" INTEGER NOT NULL DEFAULT 0,
    "progress_message_id" INTEGER,
    "report_message_id" INTEGER,
    "reported_at" TIMESTAMP(3),
    "reported_read_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "broadcast_delivery" (
    "broadcast_id" UUID NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "locale" TEXT NOT NULL,
    "status" "broadcast_delivery_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL,
    "claim_token" UUID,
    "lease_until" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "message_id" INTEGER,
    "last_error" TEXT,
    "read_at" TIMESTAMP(3),

    CONSTRAINT "broadcast_delivery_pkey" PRIMARY KEY ("broadcast_id","telegram_id")
);

-- CreateTable
CREATE TABLE "broadcast_pacer" (
    "id" INTEGER NOT NULL,
    "next_slot_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "broadcast_pacer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notice_preference" (
    "telegram_id" BIGINT NOT NULL,
    "muted_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notice_preference_pkey" PRIMARY KEY ("telegram_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "broadcast_request_key_key" ON "broadcast"("request_key");

-- CreateIndex
CREATE INDEX "broadcast_status_scheduled_at_idx" ON "broadcast"("status", "scheduled_at");

-- CreateIndex
CREATE INDEX "broadcast_community_code_created_at_idx" ON "broadcast"("community_code", "created_at" DESC);

-- CreateIndex
CREATE INDEX "broadcast_delivery_status_next_attempt_at_idx" ON "broadcast_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "broadcast_delivery_telegram_id_sent_at_idx" ON "broadcast_delivery"("telegram_id", "sent_at");

-- AddForeignKey
ALTER TABLE "broadcast_delivery" ADD CONSTRAINT "broadcast_delivery_broadcast_id_fkey" FOREIGN KEY ("broadcast_id") REFERENCES "broadcast"("id") ON DELETE CASCADE ON UPDATE CASCADE;

