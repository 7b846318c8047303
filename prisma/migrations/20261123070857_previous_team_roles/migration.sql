-- AlterTable
ALTER TABLE "request_members" ADD COLUMN     "previous_team_roles" JSONB;
