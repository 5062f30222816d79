import { createDb } from '@bridge/db';
import { loadConfig } from '@bridge/config';
import { buildDeps, INGEST_SECTIONS, startIngest, type RunningIngest } from '@bridge/ingest';
import { captureLogs, createTestDatabase, obliterateQueues, type TestDatabase } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { ingestEnv, leadBody, SECRET, startServer } from './harness';

/** Starts a POST and sends only the first bytes of its body, so it stays in flight. */
function startSlowPost(port: number, body: string, requestId: string) {
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/aitable/webhook',
    agent: new http.Agent({ keepAlive: true }),
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-aitable-signature': signHmac(SECRET, body),
      'x-request-id': requestId,
    },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 10));
  return { finish: () => req.end(body.slice(10)), response };
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}

describe('graceful shutdown', () => {
  let database: TestDatabase;
  let prefix: string;
  let running: RunningIngest;

  async function start(over: Record<string, string>) {
    // A flush interval longer than the test: only the shutdown's flush can write the rows.
    ({ running, prefix } = await startServer(database.url, { DELIVERY_FLUSH_MS: '60000', ...over }));
    return running;
  }

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await running.shutdown('test end');
    await obliterateQueues(prefix);
    await database.drop();
  });

  it('when shutdown starts with a request in flight, then it completes, new connections are refused and its delivery row is flushed', async () => {
    const { port, server } = await start({});
    const arrived = new Promise((resolve) => server.once('request', resolve));
    const slow = startSlowPost(port, leadBody({ recordId: 'recInFlight' }), 'in-flight-1');
    await arrived;

    const stopping = running.shutdown('SIGTERM');
    await expect(connectOnce(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    slow.finish();
    const res = await slow.response;
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: true, queue: 'leads', duplicate: false });
    await stopping;

    const db = createDb({ databaseUrl: database.url });
    try {
      // No waiting: shutdown resolves only after the writer's flush.
      expect(await db.webhookDelivery.findFirst({ where: { requestId: 'in-flight-1' } })).toMatchObject({
        outcome: 'accepted',
        recordId: 'recInFlight',
      });
    } finally {
      await db.$disconnect();
    }
  });

  it('when a request never finishes, then shutdown ends anyway after SHUTDOWN_TIMEOUT_MS', async () => {
    const { port, server } = await start({ SHUTDOWN_TIMEOUT_MS: '300' });
    const arrived = new Promise((resolve) => server.once('request', resolve));
    const stuck = startSlowPost(port, leadBody({ recordId: 'recStuck' }), 'stuck-1');
    const outcome = stuck.response.then(
      () => new Error('answered'),
      (err: Error) => err,
    );
    await arrived;
    await running.shutdown('SIGTERM');
    expect((await outcome).message).toMatch(/socket hang up|ECONNRESET/);
    expect(server.listening).toBe(false);
  });

  it('when shutdown is called twice, then both calls wait for the same single shutdown', async () => {
    await start({});
    const a = running.shutdown('SIGTERM');
    const b = running.shutdown('SIGINT');
    expect(b).toBe(a);
    await expect(a).resolves.toBeUndefined();
  });

  it('when one delivery holds a record id too long for its index, then at shutdown every other row is stored and the log tells why', async () => {
    const { lines, stream } = captureLogs();
    const config = loadConfig(ingestEnv(database.url, { DELIVERY_FLUSH_MS: '60000' }), INGEST_SECTIONS);
    prefix = config.QUEUE_PREFIX;
    const deps = buildDeps(config, { logStream: stream });
    running = await startIngest(deps, { port: 0, host: '127.0.0.1' });
    const post = (body: string) =>
      fetch(`${running.url}/api/aitable/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aitable-signature': signHmac(SECRET, body) },
        body,
      });
    // 3,003 random letters and digits: over btree's 2704-byte limit of WebhookDelivery_datasheetId_recordId_idx.
    const long = `rec${randomBytes(2250)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')}`;
    await post(leadBody({ recordId: long }));
    for (let i = 0; i < 20; i++) expect((await post(leadBody({ recordId: `recGood${i}` }))).status).toBe(202);
    await running.shutdown('SIGTERM');

    const db = createDb({ databaseUrl: database.url });
    try {
      expect(await db.webhookDelivery.count({ where: { recordId: { startsWith: 'recGood' } } })).toBe(20);
      // Whether ingest stores that delivery (its id clipped or rejected) or Postgres refuses it, it is never lost unnoticed.
      const refused = (await deps.metrics.dbRowsRefused.get()).values.filter((v) => v.labels.table === 'WebhookDelivery');
      const refusedRows = refused.reduce((n, v) => n + v.value, 0);
      expect((await db.webhookDelivery.count()) + refusedRows).toBe(21);
      const closing = lines.find((l) => l.message.startsWith('WebhookDelivery writer closed'));
      expect(closing?.message).toBe(
        refusedRows ? 'WebhookDelivery writer closed with rows not stored: 1 refused by the database for their data' : undefined,
      );
      expect(lines.some((l) => /did not answer/.test(l.message))).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});
