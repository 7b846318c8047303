-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RequestKind" AS ENUM ('SET_ROLE', 'ADD_TO_ORGS');

-- CreateEnum
CREATE TYPE "RequestStatus" AS ENUM ('PENDING', 'APPROVED', 'EXECUTING', 'APPLIED', 'FAILED', 'DENIED', 'CANCELLED', 'EXPIRED');

-- CreateEnum
CREATE TYPE "MemberOutcome" AS ENUM ('PENDING', 'APPLIED', 'ALREADY_IN_PLACE', 'FAILED');

-- CreateEnum
CREATE TYPE "AuditEventType" AS ENUM ('FILED', 'APPROVED', 'DENIED', 'CANCELLED', 'EXPIRED', 'CLAIMED', 'APPLIED', 'FAILED', 'RESCHEDULED', 'RETRIED', 'REFUSED');

-- CreateTable
CREATE TABLE "role_requests" (
    "id" VARCHAR(16) NOT NULL,
    "kind" "RequestKind" NOT NULL,
    "target" TEXT NOT NULL,
    "extra_targets" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "requested_role_id" TEXT NOT NULL,
    "requested_role_name" TEXT NOT NULL,
    "team_roles" JSONB,
    "reason" TEXT NOT NULL,
    "requester_id" TEXT NOT NULL,
    "status" "RequestStatus" NOT NULL DEFAULT 'PENDING',
    "required_approvals" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_by" TEXT,
    "decision_note" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "failure_detail" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "card_channel" TEXT,
    "card_ts" TEXT,
    "notified_status" "RequestStatus",
    "applied_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "role_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "request_members" (
    "request_id" VARCHAR(16) NOT NULL,
    "position" INTEGER NOT NULL,
    "ref" TEXT NOT NULL,
    "email" TEXT,
    "vendor_user_id" TEXT,
    "role_when_filed" TEXT,
    "previous_role" TEXT,
    "outcome" "MemberOutcome" NOT NULL DEFAULT 'PENDING',
    "outcome_detail" TEXT,

    CONSTRAINT "request_members_pkey" PRIMARY KEY ("request_id","position")
);

-- CreateTable
CREATE TABLE "approvals" (
    "id" BIGSERIAL NOT NULL,
    "request_id" VARCHAR(16) NOT NULL,
    "approver_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "approvals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "request_id" VARCHAR(16) NOT NULL,
    "type" "AuditEventType" NOT NULL,
    "actor" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "role_requests_status_next_attempt_at_idx" ON "role_requests"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "role_requests_status_expires_at_idx" ON "role_requests"("status", "expires_at");

-- CreateIndex
CREATE INDEX "role_requests_requester_id_created_at_idx" ON "role_requests"("requester_id", "created_at");

-- CreateIndex
CREATE INDEX "role_requests_target_created_at_idx" ON "role_requests"("target", "created_at");

-- CreateIndex
CREATE INDEX "request_members_email_idx" ON "request_members"("email");

-- CreateIndex
CREATE UNIQUE INDEX "approvals_request_id_approver_id_key" ON "approvals"("request_id", "approver_id");

-- CreateIndex
CREATE INDEX "audit_events_request_id_id_idx" ON "audit_events"("request_id", "id");

-- AddForeignKey
ALTER TABLE "request_members" ADD CONSTRAINT "request_members_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "role_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "role_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "role_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The audit trail is append-only: refuse UPDATE, DELETE and TRUNCATE at the database itself,
-- so neither a bug nor a hand-typed query can rewrite history.
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER "audit_events_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"();

CREATE TRIGGER "audit_events_no_truncate"
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
