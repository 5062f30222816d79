import type { QueueName } from '@bridge/queues';
import { signHmac, signStandard } from '@bridge/webhooks';
import request from 'supertest';
import { deliveryRow, leadBody, postWebhook, SECRET, SHEETS, startHarness, type Harness } from './harness';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /api/aitable/webhook: jobs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ JOB_ATTEMPTS: '3' });
  });
  afterAll(() => h.close());

  const jobOf = (queue: QueueName, id: string) => h.deps.queues[queue].getJob(id);

  it.each([
    [SHEETS.leads, 'leads'],
    [SHEETS.orders, 'orders'],
    [SHEETS.auditResults, 'audit-results'],
  ] as const)('when the datasheet is %s, then 202 and the job is stored on %s', async (datasheetId, queue) => {
    const body = leadBody({ datasheetId, recordId: `recRoute${queue.replace('-', '')}` });
    const res = await postWebhook(h.app, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, queue, jobId: expect.stringMatching(UUID), duplicate: false });
    const job = await jobOf(queue, res.body.jobId);
    expect(job?.name).toBe('aitable.event');
    expect(job?.data).toEqual({
      kind: 'aitable.event',
      deliveryId: res.body.jobId,
      requestId: res.get('X-Request-Id'),
      receivedAt: expect.any(String),
      eventType: 'record.created',
      datasheetId,
      recordId: `recRoute${queue.replace('-', '')}`,
      fields: { Email: 'a@example.com' },
    });
    expect(job?.opts.attempts).toBe(3);
  });

  it('when the body carries only ids, then the job has no eventType and no fields', async () => {
    const res = await postWebhook(h.app, JSON.stringify({ datasheetId: SHEETS.leads, recordId: 'recIdsOnly' }));
    expect(res.status).toBe(202);
    const job = await jobOf('leads', res.body.jobId);
    expect(job?.data).not.toHaveProperty('fields');
    expect(job?.data).not.toHaveProperty('eventType');
  });

  it('when accepted, then the delivery row says so with its queue and job', async () => {
    const res = await postWebhook(h.app, leadBody({ recordId: 'recRow' }));
    const row = await deliveryRow(h, { id: res.body.jobId });
    expect(row).toMatchObject({
      outcome: 'accepted',
      httpStatus: 202,
      queue: 'leads',
      jobId: res.body.jobId,
      datasheetId: SHEETS.leads,
      recordId: 'recRow',
      eventType: 'record.created',
      rawBody: null,
      requestId: res.get('X-Request-Id'),
    });
  });

  it('when the same signed webhook-id comes twice with different bodies, then one job and duplicate: true', async () => {
    const standard = (body: string) => {
      const ts = Math.floor(Date.now() / 1000);
      return {
        'webhook-id': 'msg_same_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandard(SECRET, 'msg_same_1', ts, body),
      };
    };
    const body1 = leadBody({ recordId: 'recWh1' });
    const body2 = leadBody({ recordId: 'recWh2' });
    const first = await postWebhook(h.app, body1, standard(body1));
    const second = await postWebhook(h.app, body2, standard(body2));
    expect(first.body).toMatchObject({ duplicate: false });
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ accepted: true, queue: 'leads', jobId: first.body.jobId, duplicate: true });
    const row = await deliveryRow(h, { requestId: second.get('X-Request-Id')! });
    expect(row).toMatchObject({ outcome: 'duplicate', jobId: first.body.jobId, webhookId: 'msg_same_1' });
  });

  it('when two signed webhook-ids share their first 200 characters, then they are two messages and two jobs', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const idA = `msg_${'x'.repeat(240)}A`;
    const idB = `msg_${'x'.repeat(240)}B`;
    const post = (id: string, recordId: string) => {
      const body = leadBody({ recordId });
      return postWebhook(h.app, body, {
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandard(SECRET, id, ts, body),
      });
    };
    const first = await post(idA, 'recLongId1');
    const second = await post(idB, 'recLongId2');
    expect(first.body).toMatchObject({ accepted: true, duplicate: false });
    expect(second.body).toMatchObject({ accepted: true, duplicate: false });
    expect(second.body.jobId).not.toBe(first.body.jobId);
    // A resend of the same whole id is still one message.
    expect((await post(idB, 'recLongId2')).body).toMatchObject({ duplicate: true, jobId: second.body.jobId });
  });

  it('when an unsigned webhook-id header repeats (a static header in an automation), then different bodies are different jobs', async () => {
    const first = await postWebhook(h.app, leadBody({ recordId: 'recStatic1' }), { 'webhook-id': 'typed-by-a-user' });
    const second = await postWebhook(h.app, leadBody({ recordId: 'recStatic2' }), { 'webhook-id': 'typed-by-a-user' });
    expect(second.body).toMatchObject({ duplicate: false });
    expect(second.body.jobId).not.toBe(first.body.jobId);
  });

  it('when the identical body comes twice without a webhook-id, then the second is a duplicate of the first job', async () => {
    const body = leadBody({ recordId: 'recSameBody' });
    const first = await postWebhook(h.app, body);
    const second = await postWebhook(h.app, body);
    expect(second.body).toEqual({ accepted: true, queue: 'leads', jobId: first.body.jobId, duplicate: true });
    const row = await deliveryRow(h, { requestId: second.get('X-Request-Id')! });
    expect(row).toMatchObject({ outcome: 'duplicate', jobId: first.body.jobId });
    expect(await jobOf('leads', row.id)).toBeUndefined();
  });

  it('when the body differs, then a new job', async () => {
    const first = await postWebhook(h.app, leadBody({ recordId: 'recChanged', record: { fields: { Status: 'New' } } }));
    const second = await postWebhook(h.app, leadBody({ recordId: 'recChanged', record: { fields: { Status: 'Won' } } }));
    expect(second.body.duplicate).toBe(false);
    expect(second.body.jobId).not.toBe(first.body.jobId);
    expect(await jobOf('leads', second.body.jobId)).toBeDefined();
  });

  it('when X-Request-Id is sent, then it comes back, rides in the job and is on the log line and the row', async () => {
    const res = await postWebhook(h.app, leadBody({ recordId: 'recTrace' }), { 'X-Request-Id': 'trace-abc.123:x' });
    expect(res.get('X-Request-Id')).toBe('trace-abc.123:x');
    const job = await jobOf('leads', res.body.jobId);
    expect(job?.data.requestId).toBe('trace-abc.123:x');
    expect(h.logs.find((l) => l.message === 'delivery accepted' && l.jobId === res.body.jobId)).toMatchObject({
      requestId: 'trace-abc.123:x',
      deliveryId: res.body.jobId,
      recordId: 'recTrace',
    });
    expect(await deliveryRow(h, { id: res.body.jobId })).toMatchObject({ requestId: 'trace-abc.123:x' });
  });

  it.each([['has spaces'], ['x'.repeat(129)], ['<script>']])('when X-Request-Id is %j, then a fresh uuid replaces it', async (given) => {
    const res = await request(h.app).get('/healthz').set('X-Request-Id', given);
    expect(res.get('X-Request-Id')).toMatch(UUID);
  });

  it('when no X-Request-Id is sent, then one is generated for every answer, errors included', async () => {
    const res = await request(h.app).post('/api/aitable/webhook').send('{}');
    expect(res.status).toBe(401);
    expect(res.get('X-Request-Id')).toMatch(UUID);
  });

  it('when the HMAC is checked, then it is over the raw bytes, not re-serialised JSON', async () => {
    const body = `{ "datasheetId" : "${SHEETS.leads}",   "recordId":"recSpacing" }`;
    const res = await request(h.app)
      .post('/api/aitable/webhook')
      .set('Content-Type', 'application/json')
      .set('X-AITable-Signature', signHmac(SECRET, body))
      .send(body);
    expect(res.status).toBe(202);
  });
});
