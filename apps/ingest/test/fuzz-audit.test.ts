import { AUDIT_RESULTS_PATH } from '@bridge/ingest';
import { AUDIT_STATUSES } from '@bridge/queues';
import fc from 'fast-check';
import { alnum, bodies, mutated, encoding, fuzzParams, media, recordId, text, tooLongId, wire } from './fuzz-cases';
import { frontDoor, sendCase } from './fuzz-check';
import { AUDIT_TOKEN } from './harness';

const LIMIT = 16 * 1024;
const NUM_RUNS = 500;

const printable = (maxLength: number) =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => s.length <= 64 && !/[\u0000-\u001f\u007f]/.test(s));
const auditBody = fc.record(
  {
    auditId: printable(12),
    orderRecordId: recordId,
    fileName: printable(40),
    uploadDate: fc
      .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    employeesProcessed: fc.nat(),
    correctionsMade: fc.nat(),
    correctedFileUrl: alnum(1, 40).map((p) => `https://files.example.com/${p}.xlsx`),
    status: fc.constantFrom(...AUDIT_STATUSES),
  },
  { requiredKeys: ['auditId', 'orderRecordId', 'fileName', 'uploadDate', 'employeesProcessed', 'correctionsMade', 'status'] },
);

const broken = mutated(auditBody, [
  tooLongId('rec').map((v) => ['orderRecordId', v] as const),
  alnum(1, 20).map((v) => ['orderRecordId', `order-${v}`] as const),
  alnum(65, 3000).map((v) => ['auditId', v] as const),
  fc.constantFrom('', 'A\u0000', 'A\nB', '\u007f').map((v) => ['auditId', v] as const),
  fc.oneof(fc.constant(''), alnum(501, 2000), fc.constant('a\u0000b')).map((v) => ['fileName', v] as const),
  fc
    .oneof(
      alnum(2100, 3000).map((p) => `https://x.example/${p}`),
      text(20).filter((s) => !URL.canParse(s)),
    )
    .map((v) => ['correctedFileUrl', v] as const),
  fc.oneof(text(20), fc.integer()).map((v) => ['uploadDate', v] as const),
  fc
    .oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 1e6, noInteger: true }), text(5))
    .map((v) => ['employeesProcessed', v] as const),
  text(12)
    .filter((s) => !(AUDIT_STATUSES as readonly string[]).includes(s))
    .map((v) => ['status', v] as const),
]);
// An unknown key is ignored by the schema, but its size and depth still count.
const content = bodies(auditBody, { mutated: broken, place: (b, v) => ({ ...b, extra: v }), outer: 1, limit: LIMIT });

const authorization = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(`Bearer ${AUDIT_TOKEN}`, `bearer ${AUDIT_TOKEN}`, `Bearer   ${AUDIT_TOKEN}`)
      .map((v) => ({ headers: { Authorization: v }, ok: true })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        undefined,
        '',
        `Basic ${AUDIT_TOKEN}`,
        `Bearer ${AUDIT_TOKEN}x`,
        `Bearer ${AUDIT_TOKEN.slice(1)}`,
        'Bearer',
        AUDIT_TOKEN,
        `Bearer ${AUDIT_TOKEN} extra`,
      )
      .map((v): { headers: Record<string, string>; ok: boolean } => ({ headers: v === undefined ? {} : { Authorization: v }, ok: false })),
  },
);

describe('POST /api/audit-results under generated input', () => {
  const door = frontDoor(LIMIT);

  it(`never answers 5xx, answers each class of input with its own 4xx naming the problem, and makes a job only for valid input (${NUM_RUNS} cases)`, async () => {
    const jobs = { count: 0 };
    const countJobs = () => door.h.deps.queues['audit-results'].getJobCountByTypes('wait', 'delayed', 'prioritized');
    await fc.assert(
      fc.asyncProperty(content, media, encoding, authorization, async (c, m, enc, auth) => {
        const w = wire(c, m, enc, auth, LIMIT);
        await sendCase(door.server, AUDIT_RESULTS_PATH, w, jobs, countJobs);
      }),
      fuzzParams(NUM_RUNS),
    );
  }, 300_000);
});
