-- CreateIndex
CREATE INDEX "audit_log_actor_telegram_id_idx" ON "audit_log"("actor_telegram_id");

-- Erasure (/deleteme) and the retention rule unlink the audit log from a person (written by hand: Prisma
-- does not model functions or triggers). The log stays append-only: DELETE is refused, and so is every
-- UPDATE except a redaction, which may only
--   - blank actor_telegram_id (set it to NULL), and
--   - replace subject by audit_log_redacted_subject(subject): `resident:<uuid>` and `member:<uuid>` lose
--     their ids and become `resident` and `member`;
-- every other column must stay as it was. What was done, when, to which case and by which staff member
-- stays; who it was about no longer leads back to the person.
CREATE FUNCTION audit_log_redacted_subject(subject text) RETURNS text
  LANGUAGE sql IMMUTABLE
  AS $$ SELECT regexp_replace(subject, '(resident|member):[0-9A-Fa-f-]{36}', '\1', 'g') $$;

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id
     AND NEW.at = OLD.at
     AND NEW.action = OLD.action
     AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id
     AND NEW.detail IS NOT DISTINCT FROM OLD.detail
     AND (NEW.actor_telegram_id IS NULL OR NEW.actor_telegram_id = OLD.actor_telegram_id)
     AND (NEW.subject IS NOT DISTINCT FROM OLD.subject
          OR NEW.subject IS NOT DISTINCT FROM audit_log_redacted_subject(OLD.subject))
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

-- Cases the retention rule or an erasure anonymised before this migration: their audit rows lose the ids
-- too (the redaction above).
UPDATE "audit_log" a SET "subject" = audit_log_redacted_subject(a."subject")
  FROM "case" c
 WHERE a."case_id" = c."id" AND c."anonymised_at" IS NOT NULL
   AND a."subject" ~ '(resident|member):[0-9A-Fa-f-]{36}';

-- The rest of what erasure and retention now cover, for data they handled before this migration:
-- cases already anonymised lose the resident's id on their events, the submission key (it holds the chat
-- id) and the messages to the resident about them;
UPDATE "case_event" SET "actor_id" = NULL
 WHERE "actor_kind" = 'resident' AND "actor_id" IS NOT NULL
   AND "case_id" IN (SELECT "id" FROM "case" WHERE "anonymised_at" IS NOT NULL);
UPDATE "case" SET "submission_key" = 'anonymised:' || "id"::text
 WHERE "anonymised_at" IS NOT NULL AND "submission_key" NOT LIKE 'anonymised:%';
DELETE FROM "notification"
 WHERE "kind" LIKE 'resident.%'
   AND "case_id" IN (SELECT "id" FROM "case" WHERE "anonymised_at" IS NOT NULL);
-- and the notices sent to people who erased themselves, and their notice setting (everyone who ever wrote
-- to the bot has an account row until they erase themselves; recipients are chosen among them).
DELETE FROM "broadcast_delivery" d
 WHERE NOT EXISTS (SELECT 1 FROM "telegram_user" u WHERE u."telegram_id" = d."telegram_id");
DELETE FROM "notice_preference" p
 WHERE NOT EXISTS (SELECT 1 FROM "telegram_user" u WHERE u."telegram_id" = p."telegram_id");
