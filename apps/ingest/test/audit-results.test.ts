import request from 'supertest';
import { AUDIT_TOKEN, deliveryRow, startHarness, type Harness } from './harness';

const audit = (over: Record<string, unknown> = {}) => ({
  auditId: 'AUD-1',
  orderRecordId: 'recOrder1',
  fileName: 'payroll-2026-01.xlsx',
  uploadDate: '2026-01-15T09:30:00Z',
  employeesProcessed: 120,
  correctionsMade: 7,
  correctedFileUrl: 'https://files.example.com/corrected.xlsx',
  status: 'completed',
  ...over,
});

describe('POST /api/audit-results', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const submit = (body: unknown, token: string | null = AUDIT_TOKEN) => {
    const req = request(h.app).post('/api/audit-results').set('Content-Type', 'application/json');
    if (token !== null) req.set('Authorization', `Bearer ${token}`);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };

  it('when the bearer token is right, then 202 and an audit.submitted job on audit-results', async () => {
    const res = await submit(audit({ auditId: 'AUD-OK' }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, queue: 'audit-results', jobId: expect.any(String), duplicate: false });
    const job = await h.deps.queues['audit-results'].getJob(res.body.jobId);
    expect(job?.name).toBe('audit.submitted');
    expect(job?.data).toEqual({
      ...audit({ auditId: 'AUD-OK' }),
      kind: 'audit.submitted',
      deliveryId: res.body.jobId,
      requestId: res.get('X-Request-Id'),
      receivedAt: expect.any(String),
    });
    const row = await deliveryRow(h, { id: res.body.jobId });
    expect(row).toMatchObject({
      source: 'audit-api',
      outcome: 'accepted',
      recordId: 'recOrder1',
      eventType: 'audit.submitted',
      queue: 'audit-results',
    });
  });

  it.each([
    ['javascript:alert(document.cookie)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['file:///etc/passwd'],
    ['ftp://files.example.com/corrected.xlsx'],
    ['http://files.example.com/corrected.xlsx'],
  ])('when correctedFileUrl is %s, then 422 naming the field and no job', async (url) => {
    const res = await submit(audit({ auditId: 'AUD-URL', correctedFileUrl: url }));
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/correctedFileUrl: must be an https: URL/);
  });

  it('when AUDIT_FILE_URL_ALLOW_HTTP is true, then an http: link is taken and javascript: still refused', async () => {
    const lax = await startHarness({ AUDIT_FILE_URL_ALLOW_HTTP: 'true' });
    try {
      const send = (url: string) =>
        request(lax.app)
          .post('/api/audit-results')
          .set('Content-Type', 'application/json')
          .set('Authorization', `Bearer ${AUDIT_TOKEN}`)
          .send(JSON.stringify(audit({ auditId: `AUD-${url.slice(0, 4)}`, correctedFileUrl: url })));
      expect((await send('http://files.internal/corrected.xlsx')).status).toBe(202);
      const refused = await send('javascript:alert(1)');
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/correctedFileUrl: must be an http: or https: URL/);
    } finally {
      await lax.close();
    }
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'wrong-token-abcdefghijklmnop'],
    ['a prefix of the token', AUDIT_TOKEN.slice(0, -1)],
  ])('when %s is sent, then 401 and no job', async (_, token) => {
    const res = await submit(audit({ auditId: 'AUD-NOAUTH' }), token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'Missing or invalid credentials' });
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({ source: 'audit-api', outcome: 'rejected', reason: 'unauthorized', rawBody: null });
  });

  it('when Basic auth carries the token, then 401', async () => {
    const res = await request(h.app).post('/api/audit-results').set('Authorization', `Basic ${AUDIT_TOKEN}`).send(audit());
    expect(res.status).toBe(401);
  });

  it('when fields are missing or wrong, then 422 listing the zod paths', async () => {
    const { auditId: _, ...noId } = audit();
    const res = await submit({ ...noId, orderRecordId: 'order-1', employeesProcessed: -1, status: 'done' });
    expect(res.status).toBe(422);
    const paths = (res.body.details.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['auditId', 'employeesProcessed', 'orderRecordId', 'status']);
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({
      outcome: 'rejected',
      reason: 'invalid_payload',
      httpStatus: 422,
      rawBody: expect.stringContaining('order-1'),
    });
  });

  it('when the body is not JSON, then 415; when it is broken JSON, then 400', async () => {
    const notJson = await request(h.app)
      .post('/api/audit-results')
      .set('Authorization', `Bearer ${AUDIT_TOKEN}`)
      .set('Content-Type', 'text/plain')
      .send('hi');
    expect(notJson.status).toBe(415);
    expect((await submit('{"auditId": "A",')).status).toBe(400);
  });

  it('when the same result is submitted twice, then one job; a changed result for the same audit is a new job', async () => {
    const first = await submit(audit({ auditId: 'AUD-DUP' }));
    const again = await submit(audit({ auditId: 'AUD-DUP' }));
    const changed = await submit(audit({ auditId: 'AUD-DUP', correctionsMade: 9 }));
    expect(again.body).toEqual({ accepted: true, queue: 'audit-results', jobId: first.body.jobId, duplicate: true });
    expect(changed.body.duplicate).toBe(false);
    expect(changed.body.jobId).not.toBe(first.body.jobId);
  });
});
