-- The deliveries charts and the portal success chart count every row of their period (300,000
-- deliveries and 120,000 ended leads in 30 days at the bench's scale). With the counted columns in
-- the index those counts are index-only scans: 2-3x faster than reading the table. Each new index
-- starts with the column of the one it replaces, so range filters and retention use it as before.
DROP INDEX "WebhookDelivery_receivedAt_idx";
CREATE INDEX "WebhookDelivery_receivedAt_outcome_reason_idx" ON "WebhookDelivery"("receivedAt", "outcome", "reason");

DROP INDEX "LeadFunnel_endedAt_idx";
CREATE INDEX "LeadFunnel_endedAt_portalAt_idx" ON "LeadFunnel"("endedAt", "portalAt");
