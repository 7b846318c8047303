-- AlterEnum
ALTER TYPE "AuditEventType" ADD VALUE 'EXTENDED';

-- AlterTable
ALTER TABLE "role_requests" ADD COLUMN     "extends_grant" VARCHAR(16),
ADD COLUMN     "warned_day_at" TIMESTAMPTZ(3),
ADD COLUMN     "warned_hour_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "role_requests_status_grant_ends_at_idx" ON "role_requests"("status", "grant_ends_at");
