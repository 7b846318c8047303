-- AlterEnum
ALTER TYPE "AuditEventType" ADD VALUE 'RESOLVED';

-- AlterTable
ALTER TABLE "role_requests" ADD COLUMN     "resolution" TEXT,
ADD COLUMN     "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN     "resolved_by" TEXT,
ADD COLUMN     "takes_back" VARCHAR(16);

-- CreateIndex
CREATE INDEX "role_requests_takes_back_idx" ON "role_requests"("takes_back");
