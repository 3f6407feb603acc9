-- An admin may withdraw an invite code nobody has used yet.
ALTER TABLE "invite_code" ADD COLUMN "revoked_at" TIMESTAMP(3);
