-- The insight page reads these instead of scanning "SyncEvent": the batch writer keeps them up to
-- date in the same statement that inserts the history rows (packages/db/src/sync-events.ts).

-- AlterTable: attempts of a job an operator replayed (failed job retried, rejected delivery fixed), told apart
-- so their latency (which includes the human's time) can be left out of the latency chart.
ALTER TABLE "SyncEvent" ADD COLUMN "manual" BOOLEAN NOT NULL DEFAULT false;

-- Which log-scale latency bucket a duration in milliseconds falls in: bucket i holds
-- [2^(i/2), 2^((i+1)/2)) ms (bucket 0 also holds everything below 1 ms), the last one everything from ~24 days.
-- In double precision (numeric log costs ~50 us a row): a value right at a boundary may land one bucket low, still within the error.
-- packages/ops/src/insight/histogram.ts reads the bounds back.
CREATE FUNCTION "insight_latency_bucket"(ms DOUBLE PRECISION) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT least(63, greatest(0, floor(2 * ln(greatest(ms, 1)) / ln(2))))::int $$;

-- CreateTable
CREATE TABLE "SyncEventRollup" (
    "bucketSeconds" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "entityType" "EntityType" NOT NULL,
    "queue" TEXT NOT NULL,
    "outcome" "SyncEventOutcome" NOT NULL,
    "result" TEXT NOT NULL,
    "errorCode" TEXT NOT NULL,
    "manual" BOOLEAN NOT NULL,
    "latencyBucket" INTEGER NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "SyncEventRollup_pkey" PRIMARY KEY ("bucketSeconds","bucket","entityType","queue","outcome","result","errorCode","manual","latencyBucket")
);

-- CreateTable
CREATE TABLE "LeadFunnel" (
    "leadRecordId" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3),
    "portalAt" TIMESTAMPTZ(3),
    "failedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "orderAt" TIMESTAMPTZ(3),
    "auditAt" TIMESTAMPTZ(3),

    CONSTRAINT "LeadFunnel_pkey" PRIMARY KEY ("leadRecordId")
);

-- CreateIndex
CREATE INDEX "LeadFunnel_receivedAt_idx" ON "LeadFunnel"("receivedAt");

-- CreateIndex
CREATE INDEX "LeadFunnel_endedAt_idx" ON "LeadFunnel"("endedAt");

-- Backfill from the history already kept, the same aggregation the batch writer does per batch.
INSERT INTO "SyncEventRollup"
SELECT w.s, to_timestamp(floor(extract(epoch FROM e."finishedAt") / w.s) * w.s), e."entityType", e."queue", e."outcome",
    coalesce(e."result", ''), coalesce(e."errorCode", ''), e."manual",
    CASE WHEN e."outcome" = 'success' THEN "insight_latency_bucket"(extract(epoch FROM e."finishedAt" - e."receivedAt") * 1000) ELSE -1 END,
    count(*)
FROM "SyncEvent" e CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

INSERT INTO "LeadFunnel"
SELECT lead, min(received), min(portal), min(failed), least(min(portal), min(failed)), min(ord), min(audit) FROM (
    SELECT e."recordId" AS lead, e."receivedAt" AS received,
        CASE WHEN e."outcome" = 'success' AND e."result" = 'synced' THEN e."finishedAt" END AS portal,
        CASE WHEN e."outcome" = 'failed' THEN e."finishedAt" END AS failed, NULL::timestamptz AS ord, NULL::timestamptz AS audit
    FROM "SyncEvent" e WHERE e."entityType" = 'lead' AND e."recordId" IS NOT NULL
    UNION ALL
    SELECT s."metadata"->>'leadRecordId', NULL, NULL, NULL, e."finishedAt", NULL
    FROM "SyncEvent" e JOIN "AITableSync" s ON s."entityType" = 'order' AND s."recordId" = e."recordId"
    WHERE e."entityType" = 'order' AND e."outcome" = 'success' AND e."result" = 'activated' AND s."metadata"->>'leadRecordId' IS NOT NULL
    UNION ALL
    SELECT o."metadata"->>'leadRecordId', NULL, NULL, NULL, NULL, e."finishedAt"
    FROM "SyncEvent" e JOIN "AITableSync" a ON a."entityType" = 'audit_result' AND a."recordId" = e."recordId"
        JOIN "AITableSync" o ON o."entityType" = 'order' AND o."recordId" = a."metadata"->>'orderRecordId'
    WHERE e."entityType" = 'audit_result' AND e."outcome" = 'success' AND e."result" IN ('created', 'updated')
        AND o."metadata"->>'leadRecordId' IS NOT NULL
) x GROUP BY lead;
