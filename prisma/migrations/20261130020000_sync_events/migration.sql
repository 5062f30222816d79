-- CreateEnum
CREATE TYPE "SyncEventOutcome" AS ENUM ('success', 'retry', 'failed');

-- CreateTable
CREATE TABLE "SyncEvent" (
    "id" UUID NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3) NOT NULL,
    "entityType" "EntityType" NOT NULL,
    "queue" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "datasheetId" TEXT,
    "recordId" TEXT,
    "attempt" INTEGER NOT NULL,
    "outcome" "SyncEventOutcome" NOT NULL,
    "result" TEXT,
    "errorCode" TEXT,

    CONSTRAINT "SyncEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SyncEvent_finishedAt_idx" ON "SyncEvent"("finishedAt");

-- CreateIndex
CREATE INDEX "SyncEvent_entityType_recordId_idx" ON "SyncEvent"("entityType", "recordId");

-- CreateIndex
CREATE INDEX "SyncEvent_outcome_finishedAt_idx" ON "SyncEvent"("outcome", "finishedAt");
