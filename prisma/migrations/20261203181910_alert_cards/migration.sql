-- CreateTable
CREATE TABLE "alert_cards" (
    "id" BIGSERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "sync_id" TEXT NOT NULL,
    "channel" TEXT,
    "ts" TEXT,
    "due_at" TIMESTAMPTZ(3) DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "claimed_by" TEXT,
    "claimed_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_cards_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "alert_cards_sync_id_key" ON "alert_cards"("sync_id");

-- CreateIndex
CREATE INDEX "alert_cards_due_at_idx" ON "alert_cards"("due_at");
