-- CreateTable
CREATE TABLE "registration_conflict" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "telegram_id" BIGINT NOT NULL,
    "id_number_hash" BYTEA NOT NULL,
    "community_code" TEXT NOT NULL,
    "registration_cipher" BYTEA NOT NULL,

    CONSTRAINT "registration_conflict_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "registration_conflict_telegram_id_key" ON "registration_conflict"("telegram_id");

-- CreateIndex
CREATE INDEX "registration_conflict_created_at_idx" ON "registration_conflict"("created_at");
