import { createDb } from '@bridge/db';
import type { RunningIngest } from '@bridge/ingest';
import { createTestDatabase, obliterateQueues, type TestDatabase } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import http from 'node:http';
import net from 'node:net';
import { leadBody, SECRET, startServer } from './harness';

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
      expect(await db.webhookDelivery.findFirst({ where: { requestId: 'in-flight-1' } })).toMatchObject({ outcome: 'accepted', recordId: 'recInFlight' });
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
});
