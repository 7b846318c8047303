-- AlterEnum
ALTER TYPE "AuditEventType" ADD VALUE 'ESCALATED';

-- AlterTable
ALTER TABLE "role_requests" ADD COLUMN     "escalated_at" TIMESTAMPTZ(3),
ADD COLUMN     "reminders_sent" INTEGER NOT NULL DEFAULT 0;
