-- Bulk runs from the dashboard (issue 17): one row per backfill or re-sync an operator started,
-- with who, when, the filter, the progress (written every second while it runs) and the outcome.
-- A run whose heartbeat stopped is marked interrupted; starting it again resumes from the
-- backfill checkpoint in Redis.

-- CreateTable
CREATE TABLE "BulkRun" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "datasheet" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "recordIds" JSONB,
    "startedBy" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "counts" JSONB NOT NULL DEFAULT '{}',
    "total" INTEGER NOT NULL DEFAULT 0,
    "startExamined" INTEGER NOT NULL DEFAULT 0,
    "part" INTEGER NOT NULL DEFAULT 0,
    "doneCounts" JSONB NOT NULL DEFAULT '{}',
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    "cancelRequestedAt" TIMESTAMPTZ(3),
    "cancelledBy" TEXT,
    "error" TEXT,
    "restartOf" UUID,

    CONSTRAINT "BulkRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "BulkRun_startedAt_idx" ON "BulkRun"("startedAt");

-- CreateIndex
CREATE INDEX "BulkRun_status_heartbeatAt_idx" ON "BulkRun"("status", "heartbeatAt");
