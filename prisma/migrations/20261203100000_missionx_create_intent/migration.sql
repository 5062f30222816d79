-- MissionX has no customId filter and no idempotency key: the sync row is the index of our
-- clients. Before a create the bridge records when it started (the intent); after an ambiguous
-- outcome it looks for the client updated since then. Deleting a lead removes its client's
-- emailDomains, kept here to restore them if the lead comes back.

-- AlterTable
ALTER TABLE "AITableSync" ADD COLUMN "createIntentAt" TIMESTAMPTZ(3),
ADD COLUMN "removedEmailDomains" JSONB;
