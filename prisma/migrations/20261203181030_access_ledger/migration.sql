-- CreateEnum
CREATE TYPE "LedgerReason" AS ENUM ('REQUEST', 'BEFORE_ROLEGATE', 'OUTSIDE', 'ACCEPTED');

-- CreateEnum
CREATE TYPE "LedgerChangeKind" AS ENUM ('JOINED', 'ROLE_CHANGED', 'TEAMS_CHANGED', 'LEFT', 'STILL_HELD');

-- CreateEnum
CREATE TYPE "OutsideChangeStatus" AS ENUM ('OPEN', 'KEPT', 'REVERTING', 'SETTLED');

-- CreateTable
CREATE TABLE "inventory_targets" (
    "target" TEXT NOT NULL,
    "next_sync_at" TIMESTAMPTZ(3) NOT NULL,
    "requested_by" TEXT,
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "baseline_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3),
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_outcome" TEXT,
    "last_problem" TEXT,
    "last_duration_ms" INTEGER,
    "last_calls" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inventory_targets_pkey" PRIMARY KEY ("target")
);

-- CreateTable
CREATE TABLE "ledger_members" (
    "target" TEXT NOT NULL,
    "vendor_user_id" TEXT NOT NULL,
    "email" TEXT,
    "role_id" TEXT NOT NULL,
    "role_name" TEXT NOT NULL,
    "team_roles" JSONB,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" "LedgerReason" NOT NULL,
    "request_id" VARCHAR(16),
    "grant_ends_at" TIMESTAMPTZ(3),
    "outside_change_id" BIGINT,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "ledger_members_pkey" PRIMARY KEY ("target","vendor_user_id")
);

-- CreateTable
CREATE TABLE "ledger_changes" (
    "id" BIGSERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "vendor_user_id" TEXT NOT NULL,
    "email" TEXT,
    "kind" "LedgerChangeKind" NOT NULL,
    "from_role_id" TEXT,
    "from_role_name" TEXT,
    "to_role_id" TEXT,
    "to_role_name" TEXT,
    "from_team_roles" JSONB,
    "to_team_roles" JSONB,
    "reason" "LedgerReason" NOT NULL,
    "request_id" VARCHAR(16),
    "not_before" TIMESTAMPTZ(3),
    "observed_at" TIMESTAMPTZ(3) NOT NULL,
    "outside_change_id" BIGINT,

    CONSTRAINT "ledger_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outside_changes" (
    "id" BIGSERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "vendor_user_id" TEXT NOT NULL,
    "email" TEXT,
    "from_role_id" TEXT,
    "from_role_name" TEXT,
    "to_role_id" TEXT,
    "to_role_name" TEXT,
    "not_before" TIMESTAMPTZ(3),
    "observed_at" TIMESTAMPTZ(3) NOT NULL,
    "failed_revert_of" VARCHAR(16),
    "status" "OutsideChangeStatus" NOT NULL DEFAULT 'OPEN',
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "reason" TEXT,
    "revert_request_id" VARCHAR(16),
    "sync_id" TEXT NOT NULL,

    CONSTRAINT "outside_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ledger_members_target_role_id_idx" ON "ledger_members"("target", "role_id");

-- CreateIndex
CREATE INDEX "ledger_changes_target_id_idx" ON "ledger_changes"("target", "id");

-- CreateIndex
CREATE INDEX "outside_changes_target_status_idx" ON "outside_changes"("target", "status");

-- CreateIndex
CREATE INDEX "outside_changes_sync_id_idx" ON "outside_changes"("sync_id");

-- CreateIndex
CREATE INDEX "outside_changes_failed_revert_of_idx" ON "outside_changes"("failed_revert_of");

-- The ledger's changes are a trail like the audit events: append-only at the database itself.
CREATE FUNCTION "ledger_changes_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_changes is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER "ledger_changes_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "ledger_changes"
  FOR EACH ROW EXECUTE FUNCTION "ledger_changes_append_only"();

CREATE TRIGGER "ledger_changes_no_truncate"
  BEFORE TRUNCATE ON "ledger_changes"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_changes_append_only"();
