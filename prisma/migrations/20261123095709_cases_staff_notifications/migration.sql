-- CreateEnum
CREATE TYPE "case_status" AS ENUM ('submitted', 'accepted', 'in_progress', 'waiting_resident', 'resolved', 'rejected', 'closed', 'withdrawn');

-- CreateEnum
CREATE TYPE "case_priority" AS ENUM ('normal', 'urgent');

-- CreateEnum
CREATE TYPE "actor_kind" AS ENUM ('resident', 'staff', 'system');

-- CreateEnum
CREATE TYPE "attachment_kind" AS ENUM ('photo', 'voice', 'document');

-- CreateEnum
CREATE TYPE "staff_role" AS ENUM ('staff', 'worker');

-- CreateEnum
CREATE TYPE "notification_status" AS ENUM ('pending', 'sent', 'failed', 'unreachable');

-- CreateTable
CREATE TABLE "case" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "service_code" TEXT NOT NULL,
    "department_code" TEXT NOT NULL,
    "resident_id" UUID,
    "telegram_id" BIGINT,
    "status" "case_status" NOT NULL DEFAULT 'submitted',
    "priority" "case_priority" NOT NULL DEFAULT 'normal',
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "answers_cipher" BYTEA NOT NULL,
    "assignee_id" UUID,
    "due_at" TIMESTAMP(3) NOT NULL,
    "submitted_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "first_response_at" TIMESTAMP(3),
    "resolved_at" TIMESTAMP(3),
    "closed_at" TIMESTAMP(3),
    "rating" INTEGER,
    "rating_comment" TEXT,
    "submission_key" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "case_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_event" (
    "id" BIGSERIAL NOT NULL,
    "case_id" UUID NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_kind" "actor_kind" NOT NULL,
    "actor_id" TEXT,
    "kind" TEXT NOT NULL,
    "from_status" "case_status",
    "to_status" "case_status",
    "note_cipher" BYTEA,
    "visible_to_resident" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "case_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_attachment" (
    "id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "event_id" BIGINT,
    "step_id" TEXT,
    "kind" "attachment_kind" NOT NULL,
    "file_id" TEXT NOT NULL,
    "file_unique_id" TEXT NOT NULL,
    "mime_type" TEXT,
    "size_bytes" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "case_attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "case_counter" (
    "prefix" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "case_counter_pkey" PRIMARY KEY ("prefix","year")
);

-- CreateTable
CREATE TABLE "staff_member" (
    "id" UUID NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "role" "staff_role" NOT NULL,
    "department_code" TEXT,
    "community_code" TEXT,
    "display_name" TEXT NOT NULL,
    "on_duty" BOOLEAN NOT NULL DEFAULT true,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "removed_at" TIMESTAMP(3),

    CONSTRAINT "staff_member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invite_code" (
    "id" UUID NOT NULL,
    "code_hash" BYTEA NOT NULL,
    "role" "staff_role" NOT NULL,
    "department_code" TEXT,
    "community_code" TEXT,
    "created_by" BIGINT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "used_by" BIGINT,

    CONSTRAINT "invite_code_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "canned_reply" (
    "id" UUID NOT NULL,
    "department_code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "canned_reply_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_telegram_id" BIGINT,
    "action" TEXT NOT NULL,
    "case_id" UUID,
    "subject" TEXT,
    "detail" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification" (
    "id" BIGSERIAL NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "case_id" UUID,
    "status" "notification_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "case_number_key" ON "case"("number");

-- CreateIndex
CREATE UNIQUE INDEX "case_submission_key_key" ON "case"("submission_key");

-- CreateIndex
CREATE INDEX "case_department_code_status_priority_due_at_idx" ON "case"("department_code", "status", "priority", "due_at");

-- CreateIndex
CREATE INDEX "case_resident_id_submitted_at_idx" ON "case"("resident_id", "submitted_at" DESC);

-- CreateIndex
CREATE INDEX "case_assignee_id_status_idx" ON "case"("assignee_id", "status");

-- CreateIndex
CREATE INDEX "case_event_case_id_at_idx" ON "case_event"("case_id", "at");

-- CreateIndex
CREATE INDEX "case_attachment_case_id_idx" ON "case_attachment"("case_id");

-- CreateIndex
CREATE INDEX "staff_member_telegram_id_active_idx" ON "staff_member"("telegram_id", "active");

-- CreateIndex
CREATE INDEX "staff_member_department_code_active_idx" ON "staff_member"("department_code", "active");

-- CreateIndex
CREATE UNIQUE INDEX "invite_code_code_hash_key" ON "invite_code"("code_hash");

-- CreateIndex
CREATE INDEX "canned_reply_department_code_idx" ON "canned_reply"("department_code");

-- CreateIndex
CREATE INDEX "audit_log_case_id_idx" ON "audit_log"("case_id");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "notification_status_next_attempt_at_idx" ON "notification"("status", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_department_code_fkey" FOREIGN KEY ("department_code") REFERENCES "department"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_resident_id_fkey" FOREIGN KEY ("resident_id") REFERENCES "resident"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case" ADD CONSTRAINT "case_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "staff_member"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_event" ADD CONSTRAINT "case_event_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "case_attachment" ADD CONSTRAINT "case_attachment_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "case"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_member" ADD CONSTRAINT "staff_member_department_code_fkey" FOREIGN KEY ("department_code") REFERENCES "department"("code") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "canned_reply" ADD CONSTRAINT "canned_reply_department_code_fkey" FOREIGN KEY ("department_code") REFERENCES "department"("code") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The audit log is append-only: refuse UPDATE and DELETE, whoever asks (written by hand: Prisma does not
-- model triggers).
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
