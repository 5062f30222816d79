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
