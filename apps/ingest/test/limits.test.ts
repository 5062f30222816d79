import { QUEUE_NAMES } from '@bridge/queues';
import request from 'supertest';
import { AUDIT_TOKEN, deliveryRow, leadBody, postWebhook, startHarness, type Harness } from './harness';

/** A JSON value nested `levels` arrays deep, as text (building it as an object would need recursion to print). */
const nested = (levels: number) => `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;
const randomAlnum = (n: number) =>
  Array.from({ length: n }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)]).join('');

describe('limits at the front door', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const jobCount = async () => {
    const counts = await Promise.all(
      QUEUE_NAMES.map((q) => h.deps.queues[q].getJobCountByTypes('wait', 'delayed', 'active', 'completed', 'failed')),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  const submitAudit = (body: string) =>
    request(h.app)
      .post('/api/audit-results')
      .set('Content-Type', 'application/json')
      .set('Authorization', `Bearer ${AUDIT_TOKEN}`)
      .send(body);
  const audit = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      auditId: 'AUD-LIM',
      orderRecordId: 'recOrder1',
      fileName: 'payroll.xlsx',
      uploadDate: '2026-01-15T09:30:00Z',
      employeesProcessed: 1,
      correctionsMade: 0,
      status: 'completed',
      ...over,
    });

  it('when a signed webhook has a 3,000-character recordId, then 422 naming recordId and the limit, and no job', async () => {
    const before = await jobCount();
    const res = await postWebhook(h.app, leadBody({ recordId: `rec${randomAlnum(2997)}` }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'invalid_payload', details: { issues: [expect.objectContaining({ path: 'recordId' })] } });
    expect(res.body.message).toMatch(/recordId: .*at most 64 characters/);
    expect(await jobCount()).toBe(before);
  });

  it('when a field value nests 10,000 arrays deep while Redis is healthy, then 422 naming the depth limit (never a 503) and no job', async () => {
    const before = await jobCount();
    const body = leadBody({ recordId: 'recDeep1' }).replace('"a@example.com"', nested(10_000));
    const res = await postWebhook(h.app, body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: 'invalid_payload',
      details: { depthLimit: 64, issues: [expect.objectContaining({ path: expect.stringMatching(/^record\.fields\.Email\.0/) })] },
    });
    expect(res.body.message).toMatch(/limit of 64 levels/);
    expect(await jobCount()).toBe(before);
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({ outcome: 'rejected', reason: 'invalid_payload', httpStatus: 422, rawBody: body });
  });

  it('when a body nests exactly to the limit, then it is accepted', async () => {
    // body, record, fields: 3 levels before the value.
    const res = await postWebhook(h.app, leadBody({ recordId: 'recAtLimit1' }).replace('"a@example.com"', nested(61)));
    expect(res.status).toBe(202);
  });

  it.each([
    ['orderRecordId', audit({ orderRecordId: `rec${randomAlnum(3000)}` })],
    ['auditId', audit({ auditId: randomAlnum(3000) })],
    ['auditId', audit({ auditId: 'AUD\u0000' })],
    ['fileName', audit({ fileName: 'x'.repeat(501) })],
    ['correctedFileUrl', audit({ correctedFileUrl: `https://files.example.com/${'a'.repeat(2100)}` })],
  ])('when an audit result has an oversized or control-character %s, then 422 naming it and no job', async (field, body) => {
    const before = await jobCount();
    const res = await submitAudit(body);
    expect(res.status).toBe(422);
    expect(res.body.details.issues).toEqual([expect.objectContaining({ path: field })]);
    expect(await jobCount()).toBe(before);
  });

  it('when an audit result nests 10,000 deep, then 422 naming the depth limit and no job', async () => {
    const before = await jobCount();
    const res = await submitAudit(audit().replace('"completed"', nested(10_000)));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: 'invalid_payload',
      details: { depthLimit: 64, issues: [expect.objectContaining({ path: expect.stringMatching(/^status\.0/) })] },
    });
    expect(await jobCount()).toBe(before);
  });
});
