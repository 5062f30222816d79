import { signHmac } from '@bridge/webhooks';
import request from 'supertest';
import { deliveryRow, leadBody, postWebhook, SECRET, SHEETS, startHarness, type Harness } from './harness';

describe('POST /api/aitable/webhook: bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(() => h.close());

  it('when the body is larger than the limit, then 413 with a JSON error and the delivery is recorded without its body', async () => {
    const body = leadBody({ record: { fields: { Notes: 'x'.repeat(4000) } } });
    const res = await postWebhook(h.app, body);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'body_too_large', message: 'Body larger than the limit of 2048 bytes' });
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({ outcome: 'rejected', reason: 'body_too_large', httpStatus: 413, rawBody: null });
  });

  it('when a signed body is not sent as JSON, then 415 and the body is kept for replay', async () => {
    const body = leadBody({ recordId: 'recText' });
    const res = await postWebhook(h.app, body, { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ error: 'unsupported_media_type', message: expect.stringContaining('text/plain') });
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({
      outcome: 'rejected',
      reason: 'unsupported_media_type',
      httpStatus: 415,
      rawBody: body,
      contentType: 'text/plain',
    });
  });

  it('when the body is neither JSON nor signed, then 401 comes before 415', async () => {
    const res = await postWebhook(h.app, 'hello', { 'Content-Type': 'text/plain', 'X-AITable-Signature': 'nope-nope-nope-nope' });
    expect(res.status).toBe(401);
  });

  it('when a field value holds an unescaped quote, then 400 naming the line and column, and the raw body is kept', async () => {
    const body = `{"datasheetId":"${SHEETS.leads}","recordId":"recQ1",\n"record":{"fields":{"Company":"Acme "Best" Ltd"}}}`;
    const res = await postWebhook(h.app, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: 'invalid_json',
      details: { line: 2, column: 38 },
      message: expect.stringContaining('line 2, column 38'),
    });
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({
      outcome: 'rejected',
      reason: 'invalid_json',
      httpStatus: 400,
      rawBody: body,
      contentType: 'application/json',
    });
    expect(row.detail).toContain('line 2, column 38');
  });

  it('when valid JSON has the wrong shape, then 422 listing each zod path', async () => {
    const body = JSON.stringify({ datasheetId: 'leads', recordId: 7, eventType: 'record.moved' });
    const res = await postWebhook(h.app, body);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('invalid_payload');
    const paths = (res.body.details.issues as { path: string }[]).map((i) => i.path).sort();
    expect(paths).toEqual(['datasheetId', 'eventType', 'recordId']);
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({ outcome: 'rejected', reason: 'invalid_payload', httpStatus: 422, rawBody: body });
  });

  it('when the datasheet is none of the three configured, then 422 naming it, and the row keeps the datasheet and record for /status', async () => {
    const res = await postWebhook(h.app, leadBody({ datasheetId: 'dstNotOurs42', recordId: 'recUnknownSheet' }));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'unknown_datasheet', message: expect.stringContaining('dstNotOurs42') });
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row).toMatchObject({
      reason: 'unknown_datasheet',
      datasheetId: 'dstNotOurs42',
      recordId: 'recUnknownSheet',
      eventType: 'record.created',
    });
  });

  it.each([
    ['an empty body', ''],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"hello"'],
    ['null', 'null'],
    ['deep nesting', '['.repeat(1500)],
    ['a NUL byte', '{"datasheetId":"\u0000"}'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1')],
  ])('when the signed body is %s, then a 4xx, never a 5xx', async (_, body) => {
    const res = await request(h.app)
      .post('/api/aitable/webhook')
      .set('Content-Type', 'application/json')
      .set('X-AITable-Signature', signHmac(SECRET, Buffer.from(body, 'latin1')))
      // As is: under a JSON content type superagent would send a Buffer as `{"type":"Buffer",...}`.
      .serialize((b: Buffer) => b as unknown as string)
      .send(Buffer.from(body, 'latin1'));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('when a rejected delivery is recorded, then its row is readable again with the reason an operator needs', async () => {
    const res = await postWebhook(h.app, '{"datasheetId": }');
    const row = await deliveryRow(h, { requestId: res.get('X-Request-Id')! });
    expect(row.detail).toMatch(/line 1, column 17/);
    expect(row.bodyHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
