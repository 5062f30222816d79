-- Conflicts where both sides changed one fact since the last sync: what MissionX changed it to,
-- and when (the client's or project's updatedAt), beside what AITable shows. Null when only
-- AITable changed (a hand edit of a field the bridge owns).

-- AlterTable
ALTER TABLE "SyncConflict" ADD COLUMN "missionxValue" TEXT,
ADD COLUMN "missionxAt" TIMESTAMPTZ(3);

-- The insight page counts conflicts per interval over a window of detection times, and retention
-- deletes settled ones older than a cutoff: both read a range of "detectedAt".

-- CreateIndex
CREATE INDEX "SyncConflict_detectedAt_idx" ON "SyncConflict"("detectedAt");
