-- DropIndex
DROP INDEX "case_open_queue_idx";

-- CreateIndex
CREATE INDEX "case_open_queue_idx" ON "case"("department_code", "priority" DESC, "due_at", "submitted_at", "id", "status", "assignee_id", "number", "service_code") WHERE (status = ANY (ARRAY['submitted'::case_status, 'accepted'::case_status, 'in_progress'::case_status, 'waiting_resident'::case_status]));

