-- AlterTable
ALTER TABLE "notices" ADD COLUMN     "claims" INTEGER NOT NULL DEFAULT 0;
