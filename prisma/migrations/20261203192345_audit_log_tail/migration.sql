-- CreateTable
CREATE TABLE "audit_log_tail" (
    "name" TEXT NOT NULL,
    "last_id" BIGINT NOT NULL,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "audit_log_tail_pkey" PRIMARY KEY ("name")
);
