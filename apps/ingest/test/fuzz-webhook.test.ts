import { EVENT_TYPES, QUEUE_NAMES } from '@bridge/queues';
import { WEBHOOK_PATH } from '@bridge/ingest';
import { signHmac, signStandard } from '@bridge/webhooks';
import fc from 'fast-check';
import { alnum, bodies, mutated, encoding, fields, fuzzParams, media, recordId, text, tooLongId, wire } from './fuzz-cases';
import { frontDoor, sendCase } from './fuzz-check';
import { SECRET, SHEETS } from './harness';

const LIMIT = 16 * 1024;
const NUM_RUNS = 1500;

const eventBody = fc.record(
  {
    eventType: fc.constantFrom(...EVENT_TYPES),
    datasheetId: fc.constantFrom(SHEETS.leads, SHEETS.orders, SHEETS.auditResults),
    recordId,
    record: fc.record({ fields }),
  },
  { requiredKeys: ['datasheetId', 'recordId'] },
);

/** One field set to a value that breaks the documented shape; the answer must name that field. */
const broken = mutated(
  eventBody,
  [
    tooLongId('rec').map((v) => ['recordId', v] as const),
    tooLongId('dst').map((v) => ['datasheetId', v] as const),
    alnum(1, 20).map((v) => ['recordId', `fld${v}`] as const),
    fc
      .oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), text(10))
      .map((v) => ['recordId', v] as const),
    text(20)
      .filter((s) => !(EVENT_TYPES as readonly string[]).includes(s))
      .map((v) => ['eventType', v] as const),
    alnum(1, 20).map((v) => ['datasheetId', `dstNot${v}`] as const),
    fc.dictionary(alnum(1, 8), fc.integer(), { minKeys: 501, maxKeys: 510 }).map((f) => ['record', { fields: f }] as const),
    alnum(201, 400).map((k) => ['record', { fields: { [k]: 1 } }] as const),
    fc.oneof(text(10), fc.integer(), fc.array(fc.integer(), { maxLength: 3 })).map((v) => ['record', v] as const),
  ],
  // an unknown datasheet is named by its id
  (key, value) => (key === 'datasheetId' && typeof value === 'string' && value.length <= 64 ? value : key),
);
// body, record and fields are 3 levels above a field value.
const content = bodies(eventBody, {
  mutated: broken,
  place: (b, v) => ({ ...b, record: { fields: { ...b.record?.fields, Notes: v } } }),
  outer: 3,
  limit: LIMIT,
});

/** Header values Node will send: printable ASCII and Latin-1, never a line break. */
const headerText = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const AUTH_OK = ['hmac', 'sha256=hmac', 'token', 'standard'] as const;
const auth = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...AUTH_OK).map((kind) => ({ kind, junk: '' })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('none', 'other-secret', 'junk', 'token-prefix', 'standard-stale', 'standard-junk', 'standard-no-id'),
        headerText,
      )
      .map(([kind, junk]) => ({ kind, junk })),
  },
);

function authHeaders(a: { kind: string; junk: string }, body: Buffer): { headers: Record<string, string>; ok: boolean } {
  const now = Math.floor(Date.now() / 1000);
  const standard = (secret: string, ts: number, id = `msg_${now}`) => ({
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signStandard(secret, id, ts, body),
  });
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
  const door = frontDoor(LIMIT);

  it(`never answers 5xx, answers each class of input with its own 4xx naming the problem, and makes a job only for valid input (${NUM_RUNS} cases)`, async () => {
    const jobs = { count: 0 };
    const countJobs = async () =>
      (await Promise.all(QUEUE_NAMES.map((q) => door.h.deps.queues[q].getJobCountByTypes('wait', 'delayed', 'prioritized')))).reduce(
        (a, b) => a + b,
        0,
      );
    await fc.assert(
      fc.asyncProperty(content, media, encoding, auth, async (c, m, enc, a) => {
        const w = wire(c, m, enc, authHeaders(a, c.bytes), LIMIT);
        await sendCase(door.server, WEBHOOK_PATH, w, jobs, countJobs);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, 300_000);
});
