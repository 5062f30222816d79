import { randomUUID } from 'node:crypto';
import { createDb, type PrismaClient, type WebhookDelivery } from '@bridge/db';
import { closeQueues, createQueues, createRedis, type BridgeQueues, type RedisConnection } from '@bridge/queues';
import { createTestDatabase, TEST_REDIS_URL, uniquePrefix, type TestDatabase } from '@bridge/testkit';
import { dedupKey, sha256Hex } from '@bridge/webhooks';
import { correctDelivery, listDeliveries, replayDelivery, revalidateDelivery, type ConfiguredDatasheets } from '../src';

let tdb: TestDatabase;
let db: PrismaClient;
let redis: RedisConnection;
let queues: BridgeQueues;

// The orders datasheet id was mistyped in the config when these deliveries came in.
const broken: ConfiguredDatasheets = { leads: 'dstLeads1', orders: 'dstOrdersTypo', auditResults: 'dstAudit1' };
const fixed: ConfiguredDatasheets = { ...broken, orders: 'dstOrders1' };

/** A delivery row as ingest writes it; only what a test cares about is given. */
async function delivery(over: Partial<WebhookDelivery> = {}): Promise<WebhookDelivery> {
  const rawBody =
    over.rawBody === undefined
      ? JSON.stringify({ eventType: 'record.created', datasheetId: 'dstOrders1', recordId: 'recOrd1' })
      : over.rawBody;
  return db.webhookDelivery.create({
    data: {
      id: randomUUID(),
      requestId: `req-${randomUUID()}`,
      source: 'aitable',
      outcome: 'rejected',
      reason: 'unknown_datasheet',
      detail: 'Datasheet dstOrders1 is not one of the configured datasheets',
      httpStatus: 422,
      datasheetId: 'dstOrders1',
      recordId: 'recOrd1',
      contentType: 'application/json',
      bodyHash: rawBody === null ? null : sha256Hex(rawBody),
      ...over,
      rawBody,
    },
  });
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = createDb({ databaseUrl: tdb.url, poolSize: 3 });
  redis = createRedis(TEST_REDIS_URL, 'producer', { enableOfflineQueue: true });
  queues = createQueues({ connection: redis, prefix: uniquePrefix('deliv') });
});
afterAll(async () => {
  await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
  await closeQueues(queues);
  await redis.quit();
  await db.$disconnect();
  await tdb.drop();
});

describe('rejected deliveries', () => {
  test('when the datasheet was missing from the config, then re-validation fails before the fix and passes after it', async () => {
    const d = await delivery();
    expect(await revalidateDelivery(db, d.id, broken)).toMatchObject({ ok: false, reason: 'unknown_datasheet' });
    expect(await revalidateDelivery(db, d.id, fixed)).toEqual({
      ok: true,
      source: 'aitable',
      queue: 'orders',
      event: { eventType: 'record.created', datasheetId: 'dstOrders1', recordId: 'recOrd1' },
    });
  });

  test('when a fixed delivery is replayed, then a job like ingest’s is on the right queue and the row is marked', async () => {
    const d = await delivery({ webhookId: 'wh-1' });

    const r = await replayDelivery(db, queues, d.id, fixed);

    expect(r).toEqual({ deliveryId: d.id, queue: 'orders', jobId: d.id, duplicate: false });
    const job = await queues.orders.getJob(r.jobId);
    expect(job!.name).toBe('aitable.event');
    expect(job!.data).toEqual({
      kind: 'aitable.event',
      deliveryId: d.id,
      requestId: d.requestId,
      receivedAt: d.receivedAt.toISOString(),
      eventType: 'record.created',
      datasheetId: 'dstOrders1',
      recordId: 'recOrd1',
      // Marks the job as replayed by a person, so its latency is told apart on the insight page.
      replayedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(job!.opts.deduplication?.id).toBe(
      dedupKey({ kind: 'event', datasheetId: 'dstOrders1', recordId: 'recOrd1', eventType: 'record.created', bodyHash: d.bodyHash! }),
    );
    const row = await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } });
    expect(row.replayedAt).toBeInstanceOf(Date);
    expect(row.replayJobId).toBe(d.id);
    await expect(replayDelivery(db, queues, d.id, fixed)).rejects.toMatchObject({ code: 'already_replayed', httpStatus: 409 });
  });

  test('when the delivery is still invalid, then replay refuses with the reason and enqueues nothing', async () => {
    const d = await delivery();
    await expect(replayDelivery(db, queues, d.id, broken)).rejects.toMatchObject({
      code: 'still_invalid',
      httpStatus: 422,
      message: expect.stringMatching(/unknown_datasheet/),
    });
    expect(await queues.orders.getJob(d.id)).toBeUndefined();
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } })).replayedAt).toBeNull();
  });

  test('when invalid JSON is corrected, then the body is replaced, the original rejection kept, and it can be replayed', async () => {
    const bad = '{"datasheetId":"dstLeads1","recordId":"recLead9","record":{"fields":{"Company":"Acme "Best" Ltd"}}}';
    const d = await delivery({
      rawBody: bad,
      reason: 'invalid_json',
      detail: 'Invalid JSON at line 1, column 74',
      datasheetId: null,
      recordId: null,
    });
    const good = '{"datasheetId":"dstLeads1","recordId":"recLead9","record":{"fields":{"Company":"Acme \\"Best\\" Ltd"}}}';

    expect(await correctDelivery(db, d.id, { rawBody: good, actor: 'ops' }, fixed)).toMatchObject({ ok: true, queue: 'leads' });

    const row = await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } });
    expect(row.rawBody).toBe(good);
    expect(row.bodyHash).toBe(sha256Hex(bad));
    expect(row.detail).toMatch(/^corrected at .* by ops; now valid \(leads\); originally: Invalid JSON at line 1, column 74$/);
    const r = await replayDelivery(db, queues, d.id, fixed);
    expect((await queues.leads.getJob(r.jobId))!.data).toMatchObject({ recordId: 'recLead9', fields: { Company: 'Acme "Best" Ltd' } });
  });

  test('when a correction is still invalid, then it is stored and the answer says why', async () => {
    const d = await delivery({ rawBody: '{', reason: 'invalid_json', detail: 'Empty body' });
    const v = await correctDelivery(db, d.id, { rawBody: '{"datasheetId":"dstLeads1"}' }, fixed);
    expect(v).toMatchObject({ ok: false, reason: 'invalid_payload', message: expect.stringMatching(/recordId/) });
  });

  test('when a correction carries an id longer than the id limit or nests too deep, then it is stored but replay refuses it', async () => {
    const d = await delivery({ reason: 'invalid_json', detail: 'Invalid JSON', datasheetId: null, recordId: null });
    const longId = JSON.stringify({ datasheetId: 'dstLeads1', recordId: `rec${'a1'.repeat(1500)}` });
    expect(await correctDelivery(db, d.id, { rawBody: longId }, fixed)).toMatchObject({
      ok: false,
      reason: 'invalid_payload',
      details: { issues: [{ path: 'recordId' }] },
    });
    await expect(replayDelivery(db, queues, d.id, fixed)).rejects.toMatchObject({
      code: 'still_invalid',
      httpStatus: 422,
      message: expect.stringMatching(/recordId: .*at most 64/),
    });

    const deep = `{"datasheetId":"dstLeads1","recordId":"recDeep1","record":{"fields":{"Notes":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`;
    await correctDelivery(db, d.id, { rawBody: deep }, fixed);
    await expect(replayDelivery(db, queues, d.id, fixed)).rejects.toMatchObject({
      code: 'still_invalid',
      httpStatus: 422,
      message: expect.stringMatching(/limit of 64 levels/),
    });
    expect(await queues.leads.getJob(d.id)).toBeUndefined();
    expect((await db.webhookDelivery.findUniqueOrThrow({ where: { id: d.id } })).replayedAt).toBeNull();
  });

  test('when the delivery failed authentication, then it has no body and cannot be corrected or replayed, and says so', async () => {
    const d = await delivery({ rawBody: null, reason: 'signature', httpStatus: 401, datasheetId: null, recordId: null });
    await expect(replayDelivery(db, queues, d.id, fixed)).rejects.toMatchObject({
      code: 'no_body',
      message: expect.stringMatching(/rejected before authentication/),
    });
    await expect(correctDelivery(db, d.id, { rawBody: '{}' }, fixed)).rejects.toMatchObject({ code: 'no_body' });
  });

  test('when an audit submission was rejected and is fixed, then it is replayed as an audit.submitted job', async () => {
    const input = {
      auditId: 'aud-1',
      orderRecordId: 'recOrd1',
      fileName: 'payroll.xlsx',
      uploadDate: '2025-06-01T10:00:00Z',
      employeesProcessed: 10,
      correctionsMade: 2,
      status: 'completed',
    };
    const d = await delivery({
      source: 'audit-api',
      rawBody: JSON.stringify({ ...input, employeesProcessed: -1 }),
      reason: 'invalid_payload',
      datasheetId: null,
      recordId: null,
    });
    expect(await revalidateDelivery(db, d.id, fixed)).toMatchObject({ ok: false, reason: 'invalid_payload' });
    await correctDelivery(db, d.id, { rawBody: JSON.stringify(input) }, fixed);
    const r = await replayDelivery(db, queues, d.id, fixed);
    expect((await queues['audit-results'].getJob(r.jobId))!.data).toMatchObject({ ...input, kind: 'audit.submitted', deliveryId: d.id });
  });

  test('when AUDIT_FILE_URL_ALLOW_HTTP is on, then an http: file link ingest would take passes correction and replay; off, both refuse it naming the field', async () => {
    const input = {
      auditId: 'aud-http',
      orderRecordId: 'recOrd1',
      fileName: 'payroll.xlsx',
      uploadDate: '2025-06-01T10:00:00Z',
      employeesProcessed: 10,
      correctionsMade: 2,
      correctedFileUrl: 'http://files.internal/corrected.xlsx',
      status: 'completed',
    };
    const rejected = () =>
      delivery({
        source: 'audit-api',
        rawBody: JSON.stringify({ ...input, employeesProcessed: -1 }),
        reason: 'invalid_payload',
        datasheetId: null,
        recordId: null,
      });
    const httpAllowed = { ...fixed, allowHttpFileUrls: true };

    const lax = await rejected();
    expect(await correctDelivery(db, lax.id, { rawBody: JSON.stringify(input) }, httpAllowed)).toMatchObject({ ok: true });
    const r = await replayDelivery(db, queues, lax.id, httpAllowed);
    expect((await queues['audit-results'].getJob(r.jobId))!.data).toMatchObject({ correctedFileUrl: input.correctedFileUrl });

    const strict = await rejected();
    expect(await correctDelivery(db, strict.id, { rawBody: JSON.stringify(input) }, fixed)).toMatchObject({
      ok: false,
      reason: 'invalid_payload',
      message: expect.stringMatching(/correctedFileUrl: must be an https: URL/),
    });
    await expect(replayDelivery(db, queues, strict.id, { ...fixed, allowHttpFileUrls: false })).rejects.toMatchObject({
      code: 'still_invalid',
      httpStatus: 422,
      message: expect.stringMatching(/correctedFileUrl: must be an https: URL/),
    });
    expect(await revalidateDelivery(db, strict.id, httpAllowed)).toMatchObject({ ok: true, source: 'audit-api' });
  });

  test('when ids are wrong, then the answer names the problem', async () => {
    await expect(revalidateDelivery(db, 'nope', fixed)).rejects.toMatchObject({ code: 'invalid_argument', httpStatus: 400 });
    await expect(revalidateDelivery(db, randomUUID(), fixed)).rejects.toMatchObject({ code: 'not_found', httpStatus: 404 });
    const accepted = await delivery({ outcome: 'accepted', reason: null, httpStatus: 202 });
    await expect(revalidateDelivery(db, accepted.id, fixed)).rejects.toMatchObject({ code: 'not_fixable', httpStatus: 409 });
  });

  test('when deliveries are listed, then each filter selects exactly what it says', async () => {
    const ds = 'dstListOnly1';
    const a = await delivery({ datasheetId: ds, reason: 'invalid_json', receivedAt: new Date('2025-01-01T00:00:00Z') });
    const b = await delivery({ datasheetId: ds, reason: 'unknown_datasheet', receivedAt: new Date('2025-01-02T00:00:00Z') });
    const c = await delivery({ datasheetId: ds, reason: 'signature', rawBody: null, receivedAt: new Date('2025-01-03T00:00:00Z') });
    await delivery({ datasheetId: ds, outcome: 'accepted', reason: null, receivedAt: new Date('2025-01-04T00:00:00Z') });
    const ids = async (f: Parameters<typeof listDeliveries>[1]) => (await listDeliveries(db, { datasheetId: ds, ...f })).map((d) => d.id);

    expect(await ids({})).toEqual([c.id, b.id, a.id]);
    expect(await ids({ reason: 'invalid_json' })).toEqual([a.id]);
    expect(await ids({ since: new Date('2025-01-02T00:00:00Z'), until: new Date('2025-01-02T23:00:00Z') })).toEqual([b.id]);
    expect(await ids({ awaitingFix: true })).toEqual([b.id, a.id]);
    expect(await ids({ outcome: 'accepted' })).toHaveLength(1);
    expect((await listDeliveries(db, { datasheetId: ds, reason: 'signature' }))[0]).toMatchObject({ hasBody: false, replayedAt: null });
  });
});
