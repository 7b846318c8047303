-- DropIndex
DROP INDEX "notices_done_at_due_at_idx";

-- DropIndex
DROP INDEX "notices_request_id_id_idx";

-- CreateIndex
CREATE INDEX "notices_done_at_id_idx" ON "notices"("done_at", "id");

-- CreateIndex
CREATE INDEX "notices_request_id_done_at_id_idx" ON "notices"("request_id", "done_at", "id");
