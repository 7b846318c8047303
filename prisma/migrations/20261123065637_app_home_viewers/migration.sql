-- CreateTable
CREATE TABLE "home_viewers" (
    "user_id" VARCHAR(32) NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "home_viewers_pkey" PRIMARY KEY ("user_id")
);
