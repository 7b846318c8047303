-- AlterEnum
ALTER TYPE "AuditEventType" ADD VALUE 'ROLES_READ';

-- AlterTable
ALTER TABLE "request_members" ADD COLUMN     "extra_roles_when_filed" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "role_requests" ADD COLUMN     "failure_code" TEXT;
