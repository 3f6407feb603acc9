-- Rating comments are free text: stored encrypted like the other free text. SQL cannot encrypt, so the clear
-- text moves into the new column marked as not yet sealed (a first byte 0x00); the bot seals every such value
-- at its next start, before it takes updates (src/app/pii-key-check.ts).
ALTER TABLE "case" ADD COLUMN "rating_comment_cipher" BYTEA;
UPDATE "case" SET "rating_comment_cipher" = '\x00'::bytea || convert_to("rating_comment", 'UTF8')
  WHERE "rating_comment" IS NOT NULL;
ALTER TABLE "case" DROP COLUMN "rating_comment";

-- The key check: one row per key the personal data was encrypted with.
CREATE TABLE "pii_key_check" (
    "key_id" TEXT NOT NULL,
    "check_value" BYTEA NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pii_key_check_pkey" PRIMARY KEY ("key_id")
);
