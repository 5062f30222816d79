-- The deliveries charts, the funnel and the portal success rate were the last insight charts that read rows (300,000
-- deliveries and 180,000 leads in 30 days at the bench's scale: 0.1-1.1 s each). These tables hold their counts per interval
-- of the SyncEventRollup widths (5 min, 1 h, 6 h), so every chart reads a few thousand rows for any range.
--
-- Kept by statement-level triggers rather than in the writer's statement (as SyncEventRollup is): a funnel row
-- changes after it was inserted (its portal, order and audit come in later batches), and the delta needs the
-- row's old values as they were when it was updated. A trigger's transition tables hold exactly those, also when
-- two batches update the same lead at once; a CTE reading the old row sees its snapshot, which may be stale.
-- The triggers fire inside the statement that inserts or updates the rows, once per row that statement wrote
-- (ON CONFLICT DO NOTHING rows are not in the transition table), so a retried batch counts nothing twice.

-- The portal success chart read this index; it reads LeadFunnelRollup now, and nothing else asks by endedAt.
DROP INDEX "LeadFunnel_endedAt_portalAt_idx";

-- CreateTable
CREATE TABLE "DeliveryRollup" (
    "bucketSeconds" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "outcome" "DeliveryOutcome" NOT NULL,
    "reason" TEXT NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "DeliveryRollup_pkey" PRIMARY KEY ("bucketSeconds","bucket","outcome","reason")
);

-- CreateTable
CREATE TABLE "LeadFunnelRollup" (
    "bucketSeconds" INTEGER NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "stage" TEXT NOT NULL,
    "latencyBucket" INTEGER NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "LeadFunnelRollup_pkey" PRIMARY KEY ("bucketSeconds","bucket","stage","latencyBucket")
);

-- What one funnel row counts for, each at the time whose interval it counts in: the funnel stages it reached (in
-- the interval of its receipt; a row without receivedAt is in no period's funnel), each with the log-scale bucket
-- (insight_latency_bucket) of the time from the stage before, -1 where that stage has no time; and for the portal
-- success chart, in the interval its job first ended, `ended` and, if it has a portal now, `ended_with_portal`.
CREATE FUNCTION "insight_funnel_stages"(received TIMESTAMPTZ, portal TIMESTAMPTZ, ord TIMESTAMPTZ, audit TIMESTAMPTZ, ended TIMESTAMPTZ)
    RETURNS TABLE ("at" TIMESTAMPTZ, stage TEXT, lat INTEGER)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT received, s.stage, CASE WHEN s.prev IS NULL THEN -1
        ELSE "insight_latency_bucket"(extract(epoch FROM s.at - s.prev) * 1000) END
    FROM (VALUES ('leads', received, NULL::timestamptz), ('portal_created', portal, received),
        ('order_won', ord, portal), ('audit_delivered', audit, ord)) AS s(stage, at, prev)
    WHERE received IS NOT NULL AND s.at IS NOT NULL
    UNION ALL
    SELECT ended, e.stage, -1 FROM (VALUES ('ended', true), ('ended_with_portal', portal IS NOT NULL)) AS e(stage, counts)
    WHERE ended IS NOT NULL AND e.counts $$;

-- Adds the deliveries a statement inserted. Keys are sorted so concurrent batches lock shared rows in one order.
CREATE FUNCTION "insight_delivery_rollup_add"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "DeliveryRollup" ("bucketSeconds", "bucket", "outcome", "reason", "n")
    SELECT w.s, to_timestamp(floor(extract(epoch FROM d."receivedAt") / w.s) * w.s), d."outcome", coalesce(d."reason", ''), count(*)
    FROM inserted d CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("bucketSeconds", "bucket", "outcome", "reason") DO UPDATE SET "n" = "DeliveryRollup"."n" + excluded."n";
    RETURN NULL;
END $$;

CREATE TRIGGER "DeliveryRollup_add" AFTER INSERT ON "WebhookDelivery"
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "insight_delivery_rollup_add"();

-- Adds the funnel rows a statement inserted, and for updated ones what changed: the new row's stages counted,
-- the old row's taken back (a lead whose portal came in this batch moves from "no portal" to a latency bucket).
CREATE FUNCTION "insight_funnel_rollup_change"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "LeadFunnelRollup" ("bucketSeconds", "bucket", "stage", "latencyBucket", "n")
    SELECT w.s, to_timestamp(floor(extract(epoch FROM c.at) / w.s) * w.s), c.stage, c.lat, sum(c.n)
    FROM (
        SELECT st.at, st.stage, st.lat, 1 AS n FROM new_rows f
            CROSS JOIN LATERAL "insight_funnel_stages"(f."receivedAt", f."portalAt", f."orderAt", f."auditAt", f."endedAt") st
        UNION ALL
        SELECT st.at, st.stage, st.lat, -1 FROM old_rows f
            CROSS JOIN LATERAL "insight_funnel_stages"(f."receivedAt", f."portalAt", f."orderAt", f."auditAt", f."endedAt") st
    ) c CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
    GROUP BY 1, 2, 3, 4 HAVING sum(c.n) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("bucketSeconds", "bucket", "stage", "latencyBucket") DO UPDATE SET "n" = "LeadFunnelRollup"."n" + excluded."n";
    RETURN NULL;
END $$;

-- A trigger with transition tables takes one event, so inserted rows have their own function (no old_rows).
CREATE FUNCTION "insight_funnel_rollup_add"() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "LeadFunnelRollup" ("bucketSeconds", "bucket", "stage", "latencyBucket", "n")
    SELECT w.s, to_timestamp(floor(extract(epoch FROM st.at) / w.s) * w.s), st.stage, st.lat, count(*)
    FROM new_rows f CROSS JOIN LATERAL "insight_funnel_stages"(f."receivedAt", f."portalAt", f."orderAt", f."auditAt", f."endedAt") st
        CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("bucketSeconds", "bucket", "stage", "latencyBucket") DO UPDATE SET "n" = "LeadFunnelRollup"."n" + excluded."n";
    RETURN NULL;
END $$;

CREATE TRIGGER "LeadFunnelRollup_add" AFTER INSERT ON "LeadFunnel"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "insight_funnel_rollup_add"();
CREATE TRIGGER "LeadFunnelRollup_change" AFTER UPDATE ON "LeadFunnel"
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "insight_funnel_rollup_change"();

-- Recounts the deliveries' rollup from the rows kept: this backfill, and rebuildInsightRollups (packages/db).
CREATE FUNCTION "insight_rebuild_delivery_rollup"() RETURNS void
    LANGUAGE sql AS $$
    DELETE FROM "DeliveryRollup";
    INSERT INTO "DeliveryRollup" ("bucketSeconds", "bucket", "outcome", "reason", "n")
    SELECT w.s, to_timestamp(floor(extract(epoch FROM d."receivedAt") / w.s) * w.s), d."outcome", coalesce(d."reason", ''), count(*)
    FROM "WebhookDelivery" d CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
    GROUP BY 1, 2, 3, 4 $$;

-- Backfill from the rows already kept: the same aggregation the triggers do, over the whole tables
-- (rebuildInsightRollups recounts the funnel by inserting its rows again, through the trigger).
SELECT "insight_rebuild_delivery_rollup"();

INSERT INTO "LeadFunnelRollup" ("bucketSeconds", "bucket", "stage", "latencyBucket", "n")
SELECT w.s, to_timestamp(floor(extract(epoch FROM st.at) / w.s) * w.s), st.stage, st.lat, count(*)
FROM "LeadFunnel" f CROSS JOIN LATERAL "insight_funnel_stages"(f."receivedAt", f."portalAt", f."orderAt", f."auditAt", f."endedAt") st
    CROSS JOIN (VALUES (300), (3600), (21600)) AS w(s)
GROUP BY 1, 2, 3, 4;
