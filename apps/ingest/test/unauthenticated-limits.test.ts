import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { STORED_HEADER_MAX } from '@bridge/db';
import { createTestDatabase, deleteKeysUnder, TEST_REDIS_URL, uniquePrefix, waitFor, type TestDatabase } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import IORedis from 'ioredis';
import { AUDIT_TOKEN, leadBody, SECRET, startHarness, type Harness } from './harness';

jest.setTimeout(120_000);

const LIMIT = 40;
const STORED_PER_MINUTE = 25;
const prefix = uniquePrefix('ingest-abuse');
let database: TestDatabase;
/** Two ingest apps, as two processes run them: own connections, the same Redis prefix and database. */
let apps: { h: Harness; server: http.Server; url: string }[];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = {
    QUEUE_PREFIX: prefix,
    TRUST_PROXY: '1',
    INGEST_UNAUTH_LIMIT: String(LIMIT),
    INGEST_UNAUTH_STORED_PER_MINUTE: String(STORED_PER_MINUTE),
    LOG_LEVEL: 'warn',
  };
  apps = await Promise.all(
    [0, 1].map(async () => {
      const h = await startHarness(env, database);
      const server = h.app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      return { h, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }),
  );
});
afterAll(async () => {
  for (const a of apps ?? []) {
    await new Promise((resolve) => a.server.close(resolve));
    await a.h.close();
  }
  await deleteKeysUnder(`${prefix}:limits`);
  await database.drop();
});

const LONG = 'x'.repeat(1000);
/** A request to ingest from `from` (X-Forwarded-For, trusted one hop), on app `i`. */
function post(i: number, path: string, from: string, body: string, headers: Record<string, string>) {
  return fetch(`${apps[i % 2]!.url}${path}`, { method: 'POST', headers: { 'X-Forwarded-For': from, ...headers }, body });
}
const badSignature = (i: number, from: string) =>
  post(i, '/api/aitable/webhook', from, leadBody(), {
    'Content-Type': `application/json; x=${LONG}`,
    'X-AITable-Signature': 'f'.repeat(64),
    'webhook-id': `msg_${LONG}`,
    'X-Request-Id': 'r'.repeat(128),
  });
const signed = (i: number, from: string, recordId: string) => {
  const body = leadBody({ recordId });
  return post(i, '/api/aitable/webhook', from, body, { 'Content-Type': 'application/json', 'X-AITable-Signature': signHmac(SECRET, body) });
};

/** `n` requests, `concurrency` at a time; the statuses in order and each 429's Retry-After. */
async function flood(n: number, send: (i: number) => Promise<Response>, concurrency = 25) {
  const answers: { status: number; retryAfter: string | null }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const res = await send(next++);
        await res.arrayBuffer();
        answers.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
      }
    }),
  );
  return answers;
}

const count = (answers: { status: number }[], status: number) => answers.filter((a) => a.status === status).length;
const unauthRows = () => apps[0]!.h.db.webhookDelivery.findMany({ where: { httpStatus: { in: [401, 413] } } });

describe('unauthenticated requests to ingest are limited per source, and their rows per minute', () => {
  test('when one source floods 500 bad signatures across two processes, then LIMIT get 401, the rest 429 with Retry-After, rows stay bounded and valid deliveries still get 202', async () => {
    const answers = await flood(500, (i) => badSignature(i, '198.51.100.7'));
    expect(count(answers, 401)).toBe(LIMIT);
    expect(count(answers, 429)).toBe(500 - LIMIT);
    expect(answers.filter((a) => a.status === 429 && !(Number(a.retryAfter) > 0))).toEqual([]);

    // Valid deliveries never meet the limit: from the flooding address and from another one.
    expect((await signed(0, '198.51.100.7', 'recAfterFlood1')).status).toBe(202);
    expect((await signed(1, '203.0.113.20', 'recAfterFlood2')).status).toBe(202);

    await waitFor(async () => (await apps[0]!.h.db.webhookDelivery.count({ where: { httpStatus: 202 } })) === 2 || undefined, {
      what: 'the two accepted rows',
    });
    const rows = await unauthRows();
    expect(rows.length).toBe(STORED_PER_MINUTE);
    expect(rows.every((r) => r.webhookId!.length <= STORED_HEADER_MAX.webhookId && r.rawBody === null && r.contentType === null)).toBe(
      true,
    );
  });

  test('when many sources each stay under the limit, then they get 401 but no more rows are kept this minute, and the rest are counted', async () => {
    const answers = await flood(200, (i) => badSignature(i, `192.0.2.${(i % 100) + 1}`));
    expect(count(answers, 401)).toBe(200);
    // Accepted rows after the flood, one per process: once they are written, any row of the flood would be too.
    await Promise.all([signed(0, '203.0.113.21', 'recMarker1'), signed(1, '203.0.113.21', 'recMarker2')]);
    await waitFor(async () => (await apps[0]!.h.db.webhookDelivery.count({ where: { httpStatus: 202 } })) === 4 || undefined, {
      what: 'the marker rows',
    });
    expect((await unauthRows()).length).toBe(STORED_PER_MINUTE);
    const metrics = await Promise.all(apps.map(async (a) => (await a.h.deps.metrics.unauthenticatedUnstored.get()).values));
    const unstored = metrics.flat().reduce((sum, v) => sum + v.value, 0);
    expect(unstored).toBe(500 + 200 - STORED_PER_MINUTE);
  });

  test('when a source sends wrong audit tokens and bodies over the limit, then they count toward the same limit', async () => {
    const from = '198.51.100.99';
    const wrongToken = (i: number) =>
      post(i, '/api/audit-results', from, '{}', { 'Content-Type': 'application/json', Authorization: `Bearer ${AUDIT_TOKEN}x` });
    const tooLarge = (i: number) => post(i, '/api/aitable/webhook', from, 'x'.repeat(300 * 1024), { 'Content-Type': 'application/json' });
    const answers = await flood(LIMIT + 5, (i) => (i % 2 ? wrongToken(i) : tooLarge(i)), 1);
    expect(answers.slice(0, LIMIT).every((a) => a.status === 401 || a.status === 413)).toBe(true);
    expect(answers.slice(LIMIT).map((a) => a.status)).toEqual([429, 429, 429, 429, 429]);
  });

  test('when a valid signed delivery arrives, then it costs no Redis command for the limits', async () => {
    const client = new IORedis(TEST_REDIS_URL);
    const monitor = await client.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => a.includes(`${prefix}:limits`))) seen.push(args.join(' '));
    });
    try {
      for (let i = 0; i < 5; i++) expect((await signed(i, '203.0.113.77', `recValid${i}`)).status).toBe(202);
      // A bad request afterwards is a marker: once MONITOR shows its limit command, it has shown everything sent before.
      expect((await badSignature(0, '203.0.113.78')).status).toBe(401);
      await waitFor(() => seen.find((c) => c.includes('203.0.113.78')), { what: 'the marker in MONITOR' });
      expect(seen.filter((c) => c.includes('203.0.113.77'))).toEqual([]);
      expect(seen.every((c) => c.includes('203.0.113.78') || c.includes('ingest-unauth-stored'))).toBe(true);
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
  });
});
