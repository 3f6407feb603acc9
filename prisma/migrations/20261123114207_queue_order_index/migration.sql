-- DropIndex
DROP INDEX "case_department_code_status_priority_due_at_idx";

-- CreateIndex
CREATE INDEX "case_department_code_status_priority_due_at_submitted_at_id_idx" ON "case"("department_code", "status", "priority" DESC, "due_at", "submitted_at", "id");

