-- CreateIndex
CREATE INDEX "role_requests_created_at_id_idx" ON "role_requests"("created_at", "id");

-- Member emails compare case-insensitively: store them lowercased (new rows are), so history
-- finds a member through request_members_email_idx instead of scanning with ILIKE.
UPDATE "request_members" SET "email" = lower("email") WHERE "email" <> lower("email");
