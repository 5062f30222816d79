import { EVENT_TYPES, QUEUE_NAMES } from '@bridge/queues';
import { WEBHOOK_PATH } from '@bridge/ingest';
import { signHmac, signStandard } from '@bridge/webhooks';
import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { alnum, encoding, fields, fuzzParams, invalidJson, media, randomJson, recordId, text, tooLongId, wire, withDeepValue, type Content } from './fuzz-cases';
import { asIs, checkAnswer, listening } from './fuzz-check';
import { SECRET, SHEETS, startHarness, type Harness } from './harness';

const LIMIT = 16 * 1024;
const NUM_RUNS = 1500;

const eventBody = fc.record(
  { eventType: fc.constantFrom(...EVENT_TYPES), datasheetId: fc.constantFrom(SHEETS.leads, SHEETS.orders, SHEETS.auditResults), recordId, record: fc.record({ fields }) },
  { requiredKeys: ['datasheetId', 'recordId'] },
);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const valid = eventBody.map((b): Content => ({ kind: 'valid', bytes: json(b), expected: 202 }));
// body, record and fields are 3 levels; the limit is 64.
const deep = fc.tuple(eventBody, fc.integer({ min: 1, max: 200 })).map(([b, levels]): Content => {
  const bytes = Buffer.from(withDeepValue({ ...b, record: { fields: { ...b.record?.fields, Deep: '__DEEP__' } } }, levels));
  return 3 + levels <= 64 ? { kind: 'deep within limit', bytes, expected: 202 } : { kind: 'too deep', bytes, expected: 422, names: 'limit of 64 levels' };
});
/** One field set to a value that breaks the documented shape; the answer must name that field. */
const mutated = fc
  .tuple(
    eventBody,
    fc.oneof(
      tooLongId('rec').map((v) => ['recordId', v] as const),
      tooLongId('dst').map((v) => ['datasheetId', v] as const),
      alnum(1, 20).map((v) => ['recordId', `fld${v}`] as const),
      fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), text(10)).map((v) => ['recordId', v] as const),
      text(20).filter((s) => !(EVENT_TYPES as readonly string[]).includes(s)).map((v) => ['eventType', v] as const),
      alnum(1, 20).map((v) => ['datasheetId', `dstNot${v}`] as const),
      fc.dictionary(alnum(1, 8), fc.integer(), { minKeys: 501, maxKeys: 510 }).map((f) => ['record', { fields: f }] as const),
      alnum(201, 400).map((k) => ['record', { fields: { [k]: 1 } }] as const),
      fc.oneof(text(10), fc.integer(), fc.array(fc.integer(), { maxLength: 3 })).map((v) => ['record', v] as const),
    ),
  )
  .map(([b, [key, value]]): Content => {
    const names = key === 'datasheetId' && typeof value === 'string' && value.length <= 64 ? value : key;
    return { kind: `bad ${key}`, bytes: json({ ...b, [key]: value }), expected: 422, names };
  });
const oversized = fc
  .tuple(eventBody, fc.integer({ min: LIMIT + 1, max: LIMIT * 3 }), fc.constantFrom('x', 'é', '€'))
  .map(([b, n, c]): Content => ({ kind: 'too large', bytes: json({ ...b, record: { fields: { Notes: c.repeat(n) } } }), expected: 202 }));

const content = fc.oneof(
  { weight: 4, arbitrary: valid },
  { weight: 2, arbitrary: deep },
  { weight: 3, arbitrary: mutated },
  { weight: 1, arbitrary: randomJson },
  { weight: 2, arbitrary: invalidJson(eventBody.map((b) => JSON.stringify(b))) },
  { weight: 1, arbitrary: oversized },
);

/** Header values Node will send: printable ASCII and Latin-1, never a line break. */
const headerText = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 80 });
const AUTH_OK = ['hmac', 'sha256=hmac', 'token', 'standard'] as const;
const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...AUTH_OK).map((kind) => ({ kind, junk: '' })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('none', 'other-secret', 'junk', 'token-prefix', 'standard-stale', 'standard-junk', 'standard-no-id'), headerText).map(([kind, junk]) => ({ kind, junk })),
  },
);

function authHeaders(a: { kind: string; junk: string }, body: Buffer): { headers: Record<string, string>; ok: boolean } {
  const now = Math.floor(Date.now() / 1000);
  const standard = (secret: string, ts: number, id = `msg_${now}`) => ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandard(secret, id, ts, body) });
  const ok = (AUTH_OK as readonly string[]).includes(a.kind);
  const headers: Record<string, string> = {
    hmac: { 'X-AITable-Signature': signHmac(SECRET, body) },
    'sha256=hmac': { 'X-AITable-Signature': `sha256=${signHmac(SECRET, body)}` },
    token: { 'X-AITable-Signature': SECRET },
    standard: standard(SECRET, now),
    none: {},
    'other-secret': { 'X-AITable-Signature': signHmac(`${SECRET}x`, body) },
    junk: { 'X-AITable-Signature': a.junk },
    'token-prefix': { 'X-AITable-Signature': SECRET.slice(0, -1) },
    'standard-stale': standard(SECRET, now - 3600),
    'standard-junk': { ...standard(SECRET, now), 'webhook-signature': a.junk || 'v1,' },
    'standard-no-id': { 'webhook-timestamp': String(now), 'webhook-signature': standard(SECRET, now)['webhook-signature'] },
  }[a.kind]!;
  return { headers, ok };
}

describe('POST /api/aitable/webhook under generated input', () => {
  let h: Harness;
  let server: Server;
  beforeAll(async () => {
    h = await startHarness({ WEBHOOK_BODY_LIMIT_BYTES: String(LIMIT), LOG_LEVEL: 'error' });
    server = await listening(h.app);
  });
  afterAll(async () => {
    server.close();
    await h.close();
  });

  it(`never answers 5xx, answers each class of input with its own 4xx naming the problem, and makes a job only for valid input (${NUM_RUNS} cases)`, async () => {
    const jobs = { count: 0 };
    const countJobs = async () => (await Promise.all(QUEUE_NAMES.map((q) => h.deps.queues[q].getJobCountByTypes('wait', 'delayed', 'prioritized')))).reduce((a, b) => a + b, 0);
    await fc.assert(
      fc.asyncProperty(content, media, encoding, auth, async (c, m, enc, a) => {
        const w = wire(c, m, enc, authHeaders(a, c.bytes), LIMIT);
        const req = request(server).post(WEBHOOK_PATH);
        for (const [k, v] of Object.entries(w.headers)) req.set(k, v);
        const res = await req.serialize(asIs).send(w.body);
        await checkAnswer(w, res, jobs, countJobs);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, 120_000);
});
