import { randomUUID } from 'node:crypto';
import { insertInsightCounts, insertSyncEvents, type InsightCountRow, type Prisma, type SyncEventRow } from '@bridge/db';
import type { TestDashboard } from './build-app';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * A known day, ending an hour before `now`: five deliveries (one rejected body holding personal
 * data), three leads (A: portal in 72 ms, order won, audit delivered; B: portal after a retried
 * attempt; C: failed for good), an audit result replayed by an operator, two conflicts (A's Portal URL
 * edited by hand and restored, B's Portal Status held for an operator), one failed job in Redis,
 * and the counts the worker keeps: seven AITable 429s and one code 400 answer, two leads reconcile found missing.
 */
export async function seedInsight(t: TestDashboard, now: Date): Promise<void> {
  const base = now.getTime() - 4 * HOUR;
  const at = (ms: number) => new Date(base + ms);
  const delivery = (over: Partial<Prisma.WebhookDeliveryCreateManyInput>): Prisma.WebhookDeliveryCreateManyInput => ({
    id: randomUUID(),
    requestId: 'r',
    source: 'aitable',
    outcome: 'accepted',
    httpStatus: 202,
    receivedAt: at(0),
    ...over,
  });
  await t.db.webhookDelivery.createMany({
    data: [
      delivery({ recordId: 'recA' }),
      delivery({ recordId: 'recB' }),
      delivery({ outcome: 'duplicate', httpStatus: 200, recordId: 'recB' }),
      delivery({ outcome: 'rejected', httpStatus: 401, reason: 'signature' }),
      delivery({
        outcome: 'rejected',
        httpStatus: 422,
        reason: 'invalid_payload',
        receivedAt: at(40 * MIN),
        rawBody: '{"fields":{"Client Name":"Jane","Email":"jane@example.com","Company":"Doe Payroll"}}',
      }),
    ],
  });
  // The workers write a record's sync row before its history row (the funnel links orders and audits through it).
  const sync = (over: Partial<Prisma.AITableSyncCreateManyInput>): Prisma.AITableSyncCreateManyInput => ({
    recordId: 'x',
    datasheetId: 'dstLeads1',
    entityType: 'lead',
    syncDirection: 'aitable_to_app',
    syncStatus: 'success',
    ...over,
  });
  await t.db.aITableSync.createMany({
    data: [
      sync({ recordId: 'recC', syncStatus: 'failed', errorMessage: 'lead_missing_field: no Email for Jane <jane@example.com>' }),
      sync({
        recordId: 'recOrdA',
        datasheetId: 'dstOrders1',
        entityType: 'order',
        metadata: { leadRecordId: 'recA', action: 'activated' },
      }),
      sync({
        recordId: 'audit-1',
        datasheetId: 'dstAudit1',
        entityType: 'audit_result',
        syncDirection: 'app_to_aitable',
        metadata: { orderRecordId: 'recOrdA' },
      }),
    ],
  });
  const ev = (over: Partial<SyncEventRow> & Pick<SyncEventRow, 'recordId' | 'finishedAt'>): SyncEventRow => ({
    id: randomUUID(),
    receivedAt: at(0),
    entityType: 'lead',
    queue: 'leads',
    jobId: randomUUID(),
    attempt: 1,
    outcome: 'success',
    result: 'synced',
    ...over,
  });
  await insertSyncEvents(t.db, [
    ev({ recordId: 'recA', finishedAt: at(72) }),
    ev({ recordId: 'recB', finishedAt: at(40), outcome: 'retry', result: undefined, errorCode: 'missionx_unavailable' }),
    ev({ recordId: 'recB', finishedAt: at(72), attempt: 2 }),
    ev({
      recordId: 'recC',
      receivedAt: at(40 * MIN),
      finishedAt: at(41 * MIN),
      outcome: 'failed',
      result: undefined,
      errorCode: 'lead_missing_field',
    }),
    ev({
      recordId: 'recOrdA',
      entityType: 'order',
      queue: 'orders',
      receivedAt: at(HOUR),
      finishedAt: at(HOUR + 10_000),
      result: 'activated',
    }),
    ev({
      recordId: 'audit-1',
      entityType: 'audit_result',
      queue: 'audit-results',
      receivedAt: at(3 * HOUR),
      finishedAt: at(3 * HOUR + 10_000),
      result: 'created',
    }),
    // An audit result an operator replayed a day after it came in: left out of the latency chart unless asked for.
    ev({
      recordId: 'audit-2',
      entityType: 'audit_result',
      queue: 'audit-results',
      receivedAt: at(3 * HOUR - 86_400_000),
      finishedAt: at(3 * HOUR + 20_000),
      result: 'created',
      manual: true,
    }),
  ]);
  const count = (metric: InsightCountRow['metric'], key: string, n: number, ms: number): InsightCountRow => ({
    id: randomUUID(),
    at: at(ms),
    metric,
    key,
    n,
  });
  await insertInsightCounts(t.db, [
    count('aitable_answer', '429', 5, 0),
    count('aitable_answer', '429', 2, 2 * HOUR),
    count('aitable_answer', '400', 1, 2 * HOUR),
    count('reconcile_missing', 'leads', 2, 3 * HOUR),
  ]);
  const conflict = (over: Partial<Prisma.SyncConflictCreateManyInput>): Prisma.SyncConflictCreateManyInput => ({
    datasheetId: 'dstLeads1',
    recordId: 'recA',
    field: 'Portal URL',
    aitableValue: 'https://example.com/jane.doe@example.com',
    bridgeValue: 'https://portal.example/c1',
    policy: 'bridge-wins',
    outcome: 'restored',
    detectedAt: at(2 * MIN),
    ...over,
  });
  await t.db.syncConflict.createMany({
    data: [
      conflict({}),
      conflict({ recordId: 'recB', field: 'Portal Status', aitableValue: 'Lost', policy: 'manual', outcome: 'held', detectedAt: at(HOUR) }),
    ],
  });
  await t.h.failJob('leads', 'recC', 'lead_missing_field: no Email for Jane <jane@example.com>');
}
