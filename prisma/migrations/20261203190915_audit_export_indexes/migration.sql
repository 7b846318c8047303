-- CreateIndex
CREATE INDEX "audit_events_created_at_id_idx" ON "audit_events"("created_at", "id");

-- CreateIndex
CREATE INDEX "ledger_changes_observed_at_id_idx" ON "ledger_changes"("observed_at", "id");

-- CreateIndex
CREATE INDEX "outside_changes_decided_at_id_idx" ON "outside_changes"("decided_at", "id");
