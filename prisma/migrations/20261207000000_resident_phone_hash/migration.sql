-- The console's search by phone: the phone's keyed hash beside its ciphertext (as the ID number's). Rows
-- registered before this are filled at the bot's start (src/app/console/search.ts, fillPhoneHashes).
ALTER TABLE "resident" ADD COLUMN "phone_hash" BYTEA;

CREATE INDEX "resident_phone_hash_idx" ON "resident"("phone_hash");
