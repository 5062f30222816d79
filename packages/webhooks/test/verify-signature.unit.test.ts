import { signHmac, signStandard, verifySignature, type VerifyInput } from '@bridge/webhooks';

const SECRET = 'old-secret-0123456789';
const NEW_SECRET = 'new-secret-9876543210';
const WHSEC = `whsec_${Buffer.from('standard-webhooks-key-bytes!').toString('base64')}`;
const BODY = Buffer.from('{"datasheetId":"dstLeads","recordId":"rec1"}');
const NOW = new Date('2026-01-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);

function input(over: Partial<VerifyInput> = {}): VerifyInput {
  return { rawBody: BODY, headers: {}, secrets: [SECRET], mode: 'any', now: NOW, ...over };
}

function standardHeaders(secret: string, ts = NOW_S, id = 'msg_1', body: Buffer = BODY) {
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(secret, id, ts, body) };
}

describe('verifySignature: X-AITable-Signature', () => {
  it('when the header is the hex HMAC of the raw body, then it is accepted as hmac', () => {
    const r = verifySignature(input({ headers: { 'x-aitable-signature': signHmac(SECRET, BODY) } }));
    expect(r).toEqual({ ok: true, method: 'hmac' });
  });

  it('when the HMAC carries a sha256= prefix in upper-case hex, then it is accepted', () => {
    const sig = `sha256=${signHmac(SECRET, BODY).toUpperCase()}`;
    expect(verifySignature(input({ headers: { 'x-aitable-signature': sig } }))).toEqual({ ok: true, method: 'hmac' });
  });

  it('when the HMAC was computed over a different body, then it is a mismatch', () => {
    const sig = signHmac(SECRET, Buffer.from('{"other":1}'));
    expect(verifySignature(input({ headers: { 'x-aitable-signature': sig } }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when the header is the shared secret itself, then it is accepted as token', () => {
    expect(verifySignature(input({ headers: { 'x-aitable-signature': SECRET } }))).toEqual({ ok: true, method: 'token' });
  });

  it('when the header name is given in another case, then it is still found', () => {
    expect(verifySignature(input({ headers: { 'X-AITable-Signature': SECRET } }))).toEqual({ ok: true, method: 'token' });
  });

  it('when no signature header is sent, then it fails as missing', () => {
    expect(verifySignature(input())).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it('when no secret is configured, then nothing is accepted', () => {
    const r = verifySignature(input({ secrets: [], headers: { 'x-aitable-signature': '' } }));
    expect(r).toEqual({ ok: false, reason: 'no_secrets' });
  });

  it('when mode is hmac, then the bare token is refused', () => {
    const r = verifySignature(input({ mode: 'hmac', headers: { 'x-aitable-signature': SECRET } }));
    expect(r).toEqual({ ok: false, reason: 'method_not_allowed' });
  });

  it('when mode is hmac and the header is not hex, then it is malformed', () => {
    const r = verifySignature(input({ mode: 'hmac', headers: { 'x-aitable-signature': 'nothex' } }));
    expect(r).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('when mode is token, then a valid HMAC is refused', () => {
    const r = verifySignature(input({ mode: 'token', headers: { 'x-aitable-signature': signHmac(SECRET, BODY) } }));
    expect(r).toEqual({ ok: false, reason: 'method_not_allowed' });
  });

  it('when mode is token and the token is right, then it is accepted', () => {
    const r = verifySignature(input({ mode: 'token', headers: { 'x-aitable-signature': SECRET } }));
    expect(r).toEqual({ ok: true, method: 'token' });
  });

  it('when the token is a prefix of the secret, then it is a mismatch', () => {
    const r = verifySignature(input({ headers: { 'x-aitable-signature': SECRET.slice(0, -1) } }));
    expect(r).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('verifySignature: secret rotation', () => {
  const rotating = [SECRET, NEW_SECRET];

  it.each([
    ['old token', SECRET, 'token'],
    ['new token', NEW_SECRET, 'token'],
    ['old HMAC', signHmac(SECRET, BODY), 'hmac'],
    ['new HMAC', signHmac(NEW_SECRET, BODY), 'hmac'],
  ])('when two secrets are configured and the %s is sent, then it is accepted', (_, header, method) => {
    expect(verifySignature(input({ secrets: rotating, headers: { 'x-aitable-signature': header } }))).toEqual({ ok: true, method });
  });

  it('when a retired secret is sent, then it is a mismatch', () => {
    const r = verifySignature(input({ secrets: [NEW_SECRET], headers: { 'x-aitable-signature': SECRET } }));
    expect(r).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('verifySignature: Standard Webhooks', () => {
  it('when signed with a whsec_ secret, then it is accepted as standard', () => {
    const r = verifySignature(input({ secrets: [WHSEC], headers: standardHeaders(WHSEC) }));
    expect(r).toEqual({ ok: true, method: 'standard', webhookId: 'msg_1' });
  });

  it('when the signature was made with the whsec_ string instead of its decoded bytes, then it is a mismatch', () => {
    const wrong = signHmac(WHSEC, Buffer.concat([Buffer.from(`msg_1.${NOW_S}.`), BODY]));
    const headers = { ...standardHeaders(WHSEC), 'webhook-signature': `v1,${Buffer.from(wrong, 'hex').toString('base64')}` };
    expect(verifySignature(input({ secrets: [WHSEC], headers }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when several signatures are sent and only the last one is valid, then it is accepted', () => {
    const good = standardHeaders(WHSEC);
    const headers = { ...good, 'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')} v1a,abc ${good['webhook-signature']}` };
    expect(verifySignature(input({ secrets: [WHSEC], headers }))).toEqual({ ok: true, method: 'standard', webhookId: 'msg_1' });
  });

  it('when the timestamp is more than 5 minutes old, then it is refused as out of tolerance', () => {
    const r = verifySignature(input({ secrets: [WHSEC], headers: standardHeaders(WHSEC, NOW_S - 301) }));
    expect(r).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('when the timestamp is more than 5 minutes ahead, then it is refused as out of tolerance', () => {
    const r = verifySignature(input({ secrets: [WHSEC], headers: standardHeaders(WHSEC, NOW_S + 301) }));
    expect(r).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('when the timestamp is 4 minutes old, then it is still accepted', () => {
    const r = verifySignature(input({ secrets: [WHSEC], headers: standardHeaders(WHSEC, NOW_S - 240) }));
    expect(r).toEqual({ ok: true, method: 'standard', webhookId: 'msg_1' });
  });

  it('when the webhook-id was changed after signing, then it is a mismatch', () => {
    const headers = { ...standardHeaders(WHSEC), 'webhook-id': 'msg_2' };
    expect(verifySignature(input({ secrets: [WHSEC], headers }))).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when webhook-id is missing, then it is malformed', () => {
    const { 'webhook-id': _, ...headers } = standardHeaders(WHSEC);
    expect(verifySignature(input({ secrets: [WHSEC], headers }))).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('when only unknown signature versions are sent, then it is malformed', () => {
    const headers = { ...standardHeaders(WHSEC), 'webhook-signature': 'v2,abc' };
    expect(verifySignature(input({ secrets: [WHSEC], headers }))).toEqual({ ok: false, reason: 'malformed_signature' });
  });

  it('when rotating between a plain and a whsec_ secret, then both sign', () => {
    const secrets = [SECRET, WHSEC];
    expect(verifySignature(input({ secrets, headers: standardHeaders(SECRET) }))).toEqual({
      ok: true,
      method: 'standard',
      webhookId: 'msg_1',
    });
    expect(verifySignature(input({ secrets, headers: standardHeaders(WHSEC) }))).toEqual({
      ok: true,
      method: 'standard',
      webhookId: 'msg_1',
    });
  });

  it('when mode is token, then Standard Webhooks signatures are refused', () => {
    const r = verifySignature(input({ mode: 'token', secrets: [WHSEC], headers: standardHeaders(WHSEC) }));
    expect(r).toEqual({ ok: false, reason: 'method_not_allowed' });
  });

  it('when mode is hmac, then Standard Webhooks signatures are accepted', () => {
    const r = verifySignature(input({ mode: 'hmac', secrets: [WHSEC], headers: standardHeaders(WHSEC) }));
    expect(r).toEqual({ ok: true, method: 'standard', webhookId: 'msg_1' });
  });
});
