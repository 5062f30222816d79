-- Two-way sync. The sync row keeps the last value the bridge wrote to each field it owns, so a
-- change that comes back as an echo (our own write firing AITable's automation, or a MissionX
-- poll seeing the change we made) is recognised and written nowhere, and the AITable record
-- updatedAt it last saw, so an event older than that changes nothing. The MissionX poll finds
-- our clients by entityId.

-- AlterTable
ALTER TABLE "AITableSync" ADD COLUMN "ownedValues" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "recordUpdatedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "AITableSync_entityId_idx" ON "AITableSync"("entityId");

-- A field the bridge owns found holding a value the bridge did not write: both values and times,
-- the field's policy and what was done (restored, adopted, held; a held one until an operator
-- resolves it). One row per conflict; the dashboard, the replay CLI and a metric read them.

-- CreateTable
CREATE TABLE "SyncConflict" (
    "id" UUID NOT NULL,
    "detectedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "datasheetId" TEXT NOT NULL,
    "recordId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "aitableValue" TEXT,
    "aitableAt" TIMESTAMPTZ(3),
    "bridgeValue" TEXT,
    "bridgeAt" TIMESTAMPTZ(3),
    "policy" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "resolvedAt" TIMESTAMPTZ(3),
    "resolvedBy" TEXT,

    CONSTRAINT "SyncConflict_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SyncConflict_datasheetId_recordId_field_detectedAt_idx" ON "SyncConflict"("datasheetId", "recordId", "field", "detectedAt");

-- CreateIndex
CREATE INDEX "SyncConflict_outcome_detectedAt_idx" ON "SyncConflict"("outcome", "detectedAt");
