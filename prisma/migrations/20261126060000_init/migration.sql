-- CreateEnum
CREATE TYPE "EntityType" AS ENUM ('lead', 'order', 'audit_result');

-- CreateEnum
CREATE TYPE "SyncDirection" AS ENUM ('aitable_to_app', 'app_to_aitable');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('pending', 'success', 'failed');

-- CreateEnum
CREATE TYPE "DeliveryOutcome" AS ENUM ('accepted', 'duplicate', 'rejected');

-- CreateTable
CREATE TABLE "AITableSync" (
    "id" UUID NOT NULL,
    "recordId" TEXT NOT NULL,
    "datasheetId" TEXT NOT NULL,
    "entityType" "EntityType" NOT NULL,
    "entityId" TEXT,
    "lastSyncedAt" TIMESTAMPTZ(3),
    "syncDirection" "SyncDirection" NOT NULL,
    "syncStatus" "SyncStatus" NOT NULL DEFAULT 'pending',
    "errorMessage" TEXT,
    "retryCount" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "lastJobId" TEXT,
    "lastRequestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AITableSync_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" UUID NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "requestId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "datasheetId" TEXT,
    "recordId" TEXT,
    "eventType" TEXT,
    "webhookId" TEXT,
    "bodyHash" TEXT,
    "outcome" "DeliveryOutcome" NOT NULL,
    "reason" TEXT,
    "detail" TEXT,
    "httpStatus" INTEGER NOT NULL,
    "queue" TEXT,
    "jobId" TEXT,
    "rawBody" TEXT,
    "contentType" TEXT,
    "replayedAt" TIMESTAMPTZ(3),
    "replayJobId" TEXT,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AITableSync_syncStatus_updatedAt_idx" ON "AITableSync"("syncStatus", "updatedAt");

-- CreateIndex
CREATE INDEX "AITableSync_entityType_syncStatus_idx" ON "AITableSync"("entityType", "syncStatus");

-- CreateIndex
CREATE INDEX "AITableSync_recordId_idx" ON "AITableSync"("recordId");

-- CreateIndex
CREATE UNIQUE INDEX "AITableSync_datasheetId_recordId_syncDirection_key" ON "AITableSync"("datasheetId", "recordId", "syncDirection");

-- CreateIndex
CREATE INDEX "WebhookDelivery_outcome_receivedAt_idx" ON "WebhookDelivery"("outcome", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_datasheetId_recordId_idx" ON "WebhookDelivery"("datasheetId", "recordId");

-- CreateIndex
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");
