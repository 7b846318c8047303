-- AlterEnum
ALTER TYPE "AuditEventType" ADD VALUE 'REVOKED';

-- AlterTable
ALTER TABLE "request_members" ADD COLUMN     "previous_role_id" TEXT;

-- AlterTable
ALTER TABLE "role_requests" ADD COLUMN     "duration_seconds" INTEGER,
ADD COLUMN     "grant_ends_at" TIMESTAMPTZ(3),
ADD COLUMN     "revert_of" VARCHAR(16);

-- CreateIndex
CREATE INDEX "role_requests_revert_of_idx" ON "role_requests"("revert_of");

-- AddForeignKey
ALTER TABLE "role_requests" ADD CONSTRAINT "role_requests_revert_of_fkey" FOREIGN KEY ("revert_of") REFERENCES "role_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
