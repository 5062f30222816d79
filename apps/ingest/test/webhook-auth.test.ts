import { createTestDatabase, type TestDatabase } from '@bridge/testkit';
import { signHmac, signStandard } from '@bridge/webhooks';
import request from 'supertest';
import { deliveryRow, leadBody, NEW_SECRET, postWebhook, SECRET, startHarness, type Harness } from './harness';

const WHSEC = `whsec_${Buffer.from('a-standard-webhooks-signing-key').toString('base64')}`;
const nowS = () => Math.floor(Date.now() / 1000);
const standard = (secret: string, body: string, ts = nowS(), id = `msg_${Math.random()}`) => ({
  'webhook-id': id,
  'webhook-timestamp': String(ts),
  'webhook-signature': signStandard(secret, id, ts, body),
});

describe('POST /api/aitable/webhook: authentication', () => {
  let database: TestDatabase;
  let any: Harness;
  let hmacOnly: Harness;
  let tokenOnly: Harness;
  let rotating: Harness;
  let signing: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    [any, hmacOnly, tokenOnly, rotating, signing] = await Promise.all([
      startHarness({}, database),
      startHarness({ AITABLE_WEBHOOK_AUTH: 'hmac' }, database),
      startHarness({ AITABLE_WEBHOOK_AUTH: 'token' }, database),
      startHarness({ AITABLE_WEBHOOK_SECRET: `${SECRET}, ${NEW_SECRET}` }, database),
      startHarness({ AITABLE_WEBHOOK_SECRET: WHSEC }, database),
    ]);
  });
  afterAll(async () => {
    await Promise.all([any, hmacOnly, tokenOnly, rotating, signing].map((h) => h?.close()));
    await database.drop();
  });

  it('when X-AITable-Signature is the hex HMAC of the body, then 202', async () => {
    const body = leadBody({ recordId: 'recHex' });
    const res = await postWebhook(any.app, body, { 'X-AITable-Signature': signHmac(SECRET, body) });
    expect(res.status).toBe(202);
  });

  it('when the HMAC has a sha256= prefix, then 202', async () => {
    const body = leadBody({ recordId: 'recPrefixed' });
    const res = await postWebhook(any.app, body, { 'X-AITable-Signature': `sha256=${signHmac(SECRET, body)}` });
    expect(res.status).toBe(202);
  });

  it('when X-AITable-Signature is the shared secret itself, then 202', async () => {
    const res = await postWebhook(any.app, leadBody({ recordId: 'recToken' }), { 'X-AITable-Signature': SECRET });
    expect(res.status).toBe(202);
  });

  it('when the HMAC was made for another body, then 401', async () => {
    const res = await postWebhook(any.app, leadBody({ recordId: 'recTampered' }), { 'X-AITable-Signature': signHmac(SECRET, leadBody()) });
    expect(res.status).toBe(401);
  });

  it('when signed the Standard Webhooks way with a whsec_ secret, then 202', async () => {
    const body = leadBody({ recordId: 'recStd' });
    expect((await postWebhook(signing.app, body, standard(WHSEC, body))).status).toBe(202);
  });

  it('when the Standard Webhooks timestamp is older than 5 minutes, then 401', async () => {
    const body = leadBody({ recordId: 'recStdOld' });
    expect((await postWebhook(signing.app, body, standard(WHSEC, body, nowS() - 6 * 60))).status).toBe(401);
  });

  it('when several Standard Webhooks signatures are sent and one is valid, then 202', async () => {
    const body = leadBody({ recordId: 'recStdMany' });
    const h = standard(WHSEC, body);
    const headers = { ...h, 'webhook-signature': `v1,${Buffer.alloc(32, 7).toString('base64')} ${h['webhook-signature']}` };
    expect((await postWebhook(signing.app, body, headers)).status).toBe(202);
  });

  it.each([
    ['the old token', () => SECRET],
    ['the new token', () => NEW_SECRET],
    ['an HMAC with the old secret', (b: string) => signHmac(SECRET, b)],
    ['an HMAC with the new secret', (b: string) => signHmac(NEW_SECRET, b)],
  ])('when two secrets are configured for a rotation and %s is sent, then 202', async (_, sign) => {
    const body = leadBody({ recordId: `recRot${Math.floor(Math.random() * 1e9)}` });
    expect((await postWebhook(rotating.app, body, { 'X-AITable-Signature': sign(body) })).status).toBe(202);
  });

  it('when the mode is hmac, then the bare token gets 401 and an HMAC 202', async () => {
    const body = leadBody({ recordId: 'recModeHmac' });
    expect((await postWebhook(hmacOnly.app, body, { 'X-AITable-Signature': SECRET })).status).toBe(401);
    expect((await postWebhook(hmacOnly.app, body, { 'X-AITable-Signature': signHmac(SECRET, body) })).status).toBe(202);
  });

  it('when the mode is token, then an HMAC gets 401 and the token 202', async () => {
    const body = leadBody({ recordId: 'recModeToken' });
    expect((await postWebhook(tokenOnly.app, body, { 'X-AITable-Signature': signHmac(SECRET, body) })).status).toBe(401);
    expect((await postWebhook(tokenOnly.app, body, { 'X-AITable-Signature': SECRET })).status).toBe(202);
  });

  it('when authentication fails for any reason, then the 401 answer is the same byte for byte', async () => {
    const body = leadBody({ recordId: 'recSame' });
    const answers = await Promise.all([
      postWebhook(any.app, body, { 'X-AITable-Signature': '' }).unset('X-AITable-Signature'),
      postWebhook(any.app, body, { 'X-AITable-Signature': 'wrong-secret-0123456789' }),
      postWebhook(any.app, body, { 'X-AITable-Signature': signHmac('another-secret-000000', body) }),
      postWebhook(signing.app, body, standard(WHSEC, body, nowS() + 3600)),
      postWebhook(hmacOnly.app, body, { 'X-AITable-Signature': SECRET }),
      postWebhook(tokenOnly.app, body, standard(WHSEC, body)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401]);
    const texts = new Set(answers.map((a) => a.text));
    expect(texts.size).toBe(1);
    expect(answers[0]!.body).toEqual({ error: 'unauthorized', message: 'Missing or invalid credentials' });
  });

  it('when a signature fails, then the delivery is recorded, counted and logged without its body or signature', async () => {
    const body = leadBody({ recordId: 'recSigFail', record: { fields: { Email: 'private@example.com' } } });
    const badSig = 'not-the-secret-000000000';
    const res = await postWebhook(any.app, body, { 'X-AITable-Signature': badSig });
    const requestId = res.get('X-Request-Id')!;
    const row = await deliveryRow(any, { requestId });
    expect(row).toMatchObject({
      outcome: 'rejected',
      reason: 'signature',
      detail: 'mismatch',
      httpStatus: 401,
      rawBody: null,
      contentType: null,
      source: 'aitable',
    });
    const line = any.logs.find((l) => l.requestId === requestId && l.message === 'delivery rejected');
    expect(line).toMatchObject({ reason: 'signature', httpStatus: 401 });
    const allLogs = JSON.stringify(any.logs);
    expect(allLogs).not.toContain(badSig);
    expect(allLogs).not.toContain('private@example.com');
    expect(allLogs).not.toContain(SECRET);
    const metrics = await request(any.app).get('/metrics');
    expect(metrics.text).toMatch(/bridge_webhook_deliveries_total\{[^}]*outcome="rejected"[^}]*reason="signature"[^}]*\} [1-9]/);
  });
});
