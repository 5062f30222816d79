-- A bulk run whose scan waits for the workers (BACKFILL_MAX_AHEAD jobs waiting in the queue) says so:
-- since when, and how many jobs wait. Both are cleared when the scan goes on and when the run ends.

-- AlterTable
ALTER TABLE "BulkRun" ADD COLUMN     "pausedSince" TIMESTAMPTZ(3),
ADD COLUMN     "waitingJobs" INTEGER;
