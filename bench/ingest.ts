/**
 * Ingest throughput against a bare Express handler, in one process on loopback.
 * Run: npx tsx bench/ingest.ts [requests per round=3000] [concurrency=32]
 *   (or `node --expose-gc --import tsx bench/ingest.ts` to also print the live heap after GC)
 * Needs the local Redis and Postgres (as the tests do). Prints figures; asserts nothing.
 */
import { loadConfig } from '@bridge/config';
import { buildDeps, INGEST_SECTIONS, startIngest } from '@bridge/ingest';
import { createTestDatabase, obliterateQueues, TEST_REDIS_URL, uniquePrefix } from '@bridge/testkit';
import { signHmac } from '@bridge/webhooks';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

const N = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const WARMUP = 300;
const ROUNDS = 3;
const TIME_LIMIT_MS = 60_000;
const SECRET = 'bench-secret-0123456789';
const SHEET = 'dstBenchLeads';

interface RunResult {
  done: number;
  failed: number;
  seconds: number;
  /** CPU of this whole process (client and both servers) per request, in µs: steadier than wall time on a busy machine. */
  cpuUsPerReq: number;
  latenciesMs: number[];
}

function body(i: number, run: string): string {
  return JSON.stringify({
    eventType: 'record.created',
    datasheetId: SHEET,
    recordId: `rec${run}${i}`,
    record: { fields: { 'Client Name': `Client ${i}`, Email: `c${i}@example.com`, Company: 'Acme Ltd', Status: 'New' } },
  });
}

function post(agent: http.Agent, port: number, path: string, payload: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-aitable-signature': signHmac(SECRET, payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Fires `count` requests with `CONCURRENCY` in flight, bounded by TIME_LIMIT_MS. */
async function fire(port: number, path: string, count: number, run: string): Promise<RunResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const deadline = Date.now() + TIME_LIMIT_MS;
  const lane = async () => {
    while (next < count && Date.now() < deadline) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      const status = await post(agent, port, path, body(i, run)).catch(() => 0);
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 202) failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  agent.destroy();
  const cpu = process.cpuUsage(cpu0);
  const done = latenciesMs.length;
  return { done, failed, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuUsPerReq: (cpu.user + cpu.system) / Math.max(1, done), latenciesMs };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Rounds are interleaved with the other server's, so a burst of load elsewhere hits both alike. */
function summary(name: string, rounds: RunResult[]) {
  const sorted = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const rps = median(rounds.map((r) => r.done / r.seconds));
  const cpu = median(rounds.map((r) => r.cpuUsPerReq));
  const done = rounds.reduce((n, r) => n + r.done, 0);
  const failed = rounds.reduce((n, r) => n + r.failed, 0);
  console.log(
    `${name.padEnd(7)} ${String(done).padStart(6)} req  ${rps.toFixed(0).padStart(5)} req/s  p50 ${pct(sorted, 50).toFixed(2)} ms  p99 ${pct(sorted, 99).toFixed(2)} ms  ` +
      `cpu ${cpu.toFixed(0)} µs/req  non-202: ${failed}`,
  );
  return { rps, cpu, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const prefix = uniquePrefix('bench');
  const config = loadConfig(
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      AITABLE_WEBHOOK_SECRET: SECRET,
      AUDIT_API_TOKEN: 'bench-audit-token-0123456789',
      AITABLE_LEADS_DATASHEET_ID: SHEET,
      AITABLE_ORDERS_DATASHEET_ID: 'dstBenchOrders',
      AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstBenchAudit',
    },
    INGEST_SECTIONS,
  );
  // Log lines are produced as in production (one per delivery) but thrown away.
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const deps = buildDeps(config, { logStream: sink });
  const ours = await startIngest(deps, { port: 0, host: '127.0.0.1' });

  const bareApp = express();
  bareApp.post('/hook', express.raw({ type: () => true }), (_req, res) => {
    res.status(202).json({ accepted: true });
  });
  const bare = http.createServer(bareApp);
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as AddressInfo).port;

  try {
    console.log(`ingest bench: ${ROUNDS} interleaved rounds of ${N} requests per server, ${CONCURRENCY} in flight, keep-alive, ${WARMUP} warm-up requests each`);
    await fire(barePort, '/hook', WARMUP, 'wb');
    await fire(ours.port, '/api/aitable/webhook', WARMUP, 'wo');
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const bareRounds: RunResult[] = [];
    const ourRounds: RunResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await fire(barePort, '/hook', N, `b${r}x`));
      ourRounds.push(await fire(ours.port, '/api/aitable/webhook', N, `o${r}x`));
    }
    const rssAfter = process.memoryUsage().rss;
    // With --expose-gc the live heap after a full collection tells growth from garbage not yet collected.
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const b = summary('bare', bareRounds);
    const o = summary('ingest', ourRounds);
    console.log(
      `ratio ingest/bare: throughput ${(o.rps / b.rps).toFixed(2)}x  p50 ${(o.p50 / b.p50).toFixed(2)}x  p99 ${(o.p99 / b.p99).toFixed(2)}x  cpu/req ${(o.cpu / b.cpu).toFixed(2)}x`,
    );
    console.log(`RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MiB -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB (+${((rssAfter - rssBefore) / 2 ** 20).toFixed(1)} MiB)`);
    if (global.gc) console.log(`live heap after GC: ${(heapBefore / 2 ** 20).toFixed(0)} MiB -> ${(heapAfter / 2 ** 20).toFixed(0)} MiB`);
    console.log(`delivery rows still buffered at the end of the run: ${deps.deliveries.pending}`);
  } finally {
    await ours.shutdown('bench end');
    await new Promise((r) => bare.close(r));
    const rows = await countRows(database.url);
    console.log(`delivery rows written: ${rows} (expected ${ROUNDS * N + WARMUP})`);
    await obliterateQueues(prefix);
    await database.drop();
  }
}

async function countRows(url: string): Promise<number> {
  const { createDb } = await import('@bridge/db');
  const db = createDb({ databaseUrl: url });
  try {
    return await db.webhookDelivery.count();
  } finally {
    await db.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
