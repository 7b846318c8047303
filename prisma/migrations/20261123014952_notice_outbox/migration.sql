-- CreateTable
CREATE TABLE "notices" (
    "id" BIGSERIAL NOT NULL,
    "request_id" VARCHAR(16) NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "due_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_by" TEXT,
    "claimed_until" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "notices_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notices_done_at_due_at_idx" ON "notices"("done_at", "due_at");

-- CreateIndex
CREATE INDEX "notices_request_id_id_idx" ON "notices"("request_id", "id");

-- Notices owed under the old bookkeeping (status not yet announced) move into the outbox, so an
-- upgrade loses none of them.
INSERT INTO "notices" ("request_id", "type", "actor")
SELECT "id",
       CASE "status"
         WHEN 'PENDING' THEN 'filed' WHEN 'APPROVED' THEN 'approved' WHEN 'EXECUTING' THEN 'applying'
         WHEN 'APPLIED' THEN 'applied' WHEN 'FAILED' THEN 'failed' WHEN 'DENIED' THEN 'denied'
         WHEN 'CANCELLED' THEN 'cancelled' ELSE 'expired' END,
       'rolegate'
FROM "role_requests"
WHERE "notified_status" IS DISTINCT FROM "status"
ORDER BY "updated_at";

-- AlterTable
ALTER TABLE "role_requests" DROP COLUMN "notified_status";

-- AddForeignKey
ALTER TABLE "notices" ADD CONSTRAINT "notices_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "role_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
