-- Counts the insight page charts that no history row carries, per 5 min, 1 h and 6 h as the "SyncEventRollup"
-- rows: AITable answers the client handled by itself (a 429 is retried in the client, so it never ends an attempt;
-- every `success:false` answer by its code) and records reconcile found that no webhook or sync had brought.
-- The worker adds to them in batches (packages/db/src/insight-counts.ts); rebuildInsightRollups leaves them alone,
-- as there are no rows to rebuild them from.

-- CreateTable
CREATE TABLE "InsightCount" (
    "bucketSeconds" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "metric" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "InsightCount_pkey" PRIMARY KEY ("bucketSeconds","bucket","metric","key")
);
