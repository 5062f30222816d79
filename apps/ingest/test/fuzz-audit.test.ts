import { AUDIT_RESULTS_PATH } from '@bridge/ingest';
import { AUDIT_STATUSES } from '@bridge/queues';
import fc from 'fast-check';
import type { Server } from 'node:http';
import request from 'supertest';
import { alnum, encoding, fuzzParams, invalidJson, media, randomJson, recordId, text, tooLongId, wire, withDeepValue, type Content } from './fuzz-cases';
import { asIs, checkAnswer, listening } from './fuzz-check';
import { AUDIT_TOKEN, startHarness, type Harness } from './harness';

const LIMIT = 16 * 1024;
const NUM_RUNS = 500;

const printable = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => s.length <= 64 && !/[\u0000-\u001f\u007f]/.test(s));
const auditBody = fc.record(
  {
    auditId: printable(12),
    orderRecordId: recordId,
    fileName: printable(40),
    uploadDate: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    employeesProcessed: fc.nat(),
    correctionsMade: fc.nat(),
    correctedFileUrl: alnum(1, 40).map((p) => `https://files.example.com/${p}.xlsx`),
    status: fc.constantFrom(...AUDIT_STATUSES),
  },
  { requiredKeys: ['auditId', 'orderRecordId', 'fileName', 'uploadDate', 'employeesProcessed', 'correctionsMade', 'status'] },
);
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const valid = auditBody.map((b): Content => ({ kind: 'valid', bytes: json(b), expected: 202 }));
// An unknown key is ignored by the schema, but the body is still one level plus the value's depth.
const deep = fc.tuple(auditBody, fc.integer({ min: 1, max: 200 })).map(([b, levels]): Content => {
  const bytes = Buffer.from(withDeepValue({ ...b, extra: '__DEEP__' }, levels));
  return 1 + levels <= 64 ? { kind: 'deep within limit', bytes, expected: 202 } : { kind: 'too deep', bytes, expected: 422, names: 'limit of 64 levels' };
});
const mutated = fc
  .tuple(
    auditBody,
    fc.oneof(
      tooLongId('rec').map((v) => ['orderRecordId', v] as const),
      alnum(1, 20).map((v) => ['orderRecordId', `order-${v}`] as const),
      alnum(65, 3000).map((v) => ['auditId', v] as const),
      fc.constantFrom('', 'A\u0000', 'A\nB', '\u007f').map((v) => ['auditId', v] as const),
      fc.oneof(fc.constant(''), alnum(501, 2000), fc.constant('a\u0000b')).map((v) => ['fileName', v] as const),
      fc.oneof(alnum(2100, 3000).map((p) => `https://x.example/${p}`), text(20).filter((s) => !URL.canParse(s))).map((v) => ['correctedFileUrl', v] as const),
      fc.oneof(text(20), fc.integer()).map((v) => ['uploadDate', v] as const),
      fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 1e6, noInteger: true }), text(5)).map((v) => ['employeesProcessed', v] as const),
      text(12).filter((s) => !(AUDIT_STATUSES as readonly string[]).includes(s)).map((v) => ['status', v] as const),
    ),
  )
  .map(([b, [key, value]]): Content => ({ kind: `bad ${key}`, bytes: json({ ...b, [key]: value }), expected: 422, names: key }));
const oversized = fc
  .tuple(auditBody, fc.integer({ min: LIMIT + 1, max: LIMIT * 3 }))
  .map(([b, n]): Content => ({ kind: 'too large', bytes: json({ ...b, notes: 'n'.repeat(n) }), expected: 202 }));

const content = fc.oneof(
  { weight: 4, arbitrary: valid },
  { weight: 2, arbitrary: deep },
  { weight: 4, arbitrary: mutated },
  { weight: 1, arbitrary: randomJson },
  { weight: 2, arbitrary: invalidJson(auditBody.map((b) => JSON.stringify(b))) },
  { weight: 1, arbitrary: oversized },
);

const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(`Bearer ${AUDIT_TOKEN}`, `bearer ${AUDIT_TOKEN}`, `Bearer   ${AUDIT_TOKEN}`).map((v) => ({ headers: { Authorization: v }, ok: true })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(undefined, '', `Basic ${AUDIT_TOKEN}`, `Bearer ${AUDIT_TOKEN}x`, `Bearer ${AUDIT_TOKEN.slice(1)}`, 'Bearer', AUDIT_TOKEN, `Bearer ${AUDIT_TOKEN} extra`)
      .map((v): { headers: Record<string, string>; ok: boolean } => ({ headers: v === undefined ? {} : { Authorization: v }, ok: false })),
  },
);

describe('POST /api/audit-results under generated input', () => {
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
    const countJobs = () => h.deps.queues['audit-results'].getJobCountByTypes('wait', 'delayed', 'prioritized');
    await fc.assert(
      fc.asyncProperty(content, media, encoding, authorization, async (c, m, enc, auth) => {
        const w = wire(c, m, enc, auth, LIMIT);
        const req = request(server).post(AUDIT_RESULTS_PATH);
        for (const [k, v] of Object.entries(w.headers)) req.set(k, v);
        await checkAnswer(w, await req.serialize(asIs).send(w.body), jobs, countJobs);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, 120_000);
});
