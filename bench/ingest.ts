/**
 * P1: the webhook endpoint (a real ingest process, default settings) against a bare Express
 * handler answering 202 (its own process), with distinct signed leads, keep-alive, 50 in flight.
 * Rounds are interleaved so a burst of load elsewhere hits both alike. CPU per accepted webhook is
 * read from /proc for each server process and from INFO for Redis (shared: other users add noise).
 * Run: npx tsx bench/ingest.ts [requests per round=3000] [concurrency=50]
 * Needs the local Redis and Postgres (as the tests do). Prints figures; asserts nothing.
 */
import { createRedis } from '@bridge/queues';
import { TEST_REDIS_URL } from '@bridge/testkit';
import http from 'node:http';
import { benchCli } from './cli';
import { LEADS, median, pct, postWebhook, startProcess, startStack, type Proc, runBench } from './stack';

const cli = benchCli(`Usage: npx tsx bench/ingest.ts [requests per round=3000] [concurrency=50]
P1: the webhook endpoint of a real ingest process against a bare Express 202 handler, in 3 interleaved
rounds plus a warm-up: req/s, p50/p99 and CPU per request of each server and of Redis.
Needs the local Redis and Postgres (TEST_REDIS_URL, TEST_DATABASE_URL). Prints figures; asserts nothing.`);
const N = cli.count(0, 'requests per round', 3000);
const CONCURRENCY = cli.count(1, 'concurrency', 50);
const WARMUP = 500;
const ROUNDS = 3;

interface Round {
  rps: number;
  failed: number;
  latenciesMs: number[];
  cpuUsPerReq: number;
  redisCpuUsPerReq: number;
}

const redis = createRedis(TEST_REDIS_URL, 'worker');
async function redisCpuSeconds(): Promise<number> {
  const info = await redis.info('cpu');
  const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

let seq = 0;
function body(): string {
  const i = seq++;
  const fields = { 'Client Name': `Client ${i}`, Email: `c${i}@example.com`, Company: 'Acme Ltd', Status: 'New' };
  return JSON.stringify({ eventType: 'record.created', datasheetId: LEADS, recordId: `recP1${i}`, record: { fields } });
}

async function round(port: number, proc: Proc, count: number): Promise<Round> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = 0;
  const [cpu0, redis0] = [proc.cpuSeconds(), await redisCpuSeconds()];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < count) {
        const t0 = performance.now();
        const status = await postWebhook(agent, port, body());
        latenciesMs.push(performance.now() - t0);
        if (status !== 202) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const [cpu1, redis1] = [proc.cpuSeconds(), await redisCpuSeconds()];
  agent.destroy();
  return {
    rps: count / seconds,
    failed,
    latenciesMs,
    cpuUsPerReq: ((cpu1 - cpu0) * 1e6) / count,
    redisCpuUsPerReq: ((redis1 - redis0) * 1e6) / count,
  };
}

function summary(name: string, rounds: Round[]) {
  const sorted = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const s = {
    rps: median(rounds.map((r) => r.rps)),
    p50: pct(sorted, 50),
    p99: pct(sorted, 99),
    cpu: median(rounds.map((r) => r.cpuUsPerReq)),
  };
  const redisCpu = median(rounds.map((r) => r.redisCpuUsPerReq));
  const failed = rounds.reduce((n, r) => n + r.failed, 0);
  console.log(
    `   ${name.padEnd(7)} ${s.rps.toFixed(0).padStart(5)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  ` +
      `server CPU ${s.cpu.toFixed(0)} µs/req  Redis CPU ${redisCpu.toFixed(0)} µs/req  non-202: ${failed}`,
  );
  return s;
}

async function main(): Promise<void> {
  const stack = await startStack({ leads: 0, workers: 0 });
  const bare = startProcess('bench/bare-server.ts', {});
  const barePort = Number((await bare.line('bare listening')).port);
  try {
    await round(barePort, bare, WARMUP);
    await round(stack.ingestPort, stack.ingest, WARMUP);
    const bareRounds: Round[] = [];
    const ourRounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      bareRounds.push(await round(barePort, bare, N));
      ourRounds.push(await round(stack.ingestPort, stack.ingest, N));
    }
    console.log(`P1 ingest: ${ROUNDS} interleaved rounds of ${N} distinct signed leads per server, ${CONCURRENCY} in flight, keep-alive`);
    const b = summary('bare', bareRounds);
    const o = summary('ingest', ourRounds);
    console.log(
      `P1 ingest/bare: throughput ${(o.rps / b.rps).toFixed(2)}x (goal ≥ 0.70x, aim 0.90x)  p99 ${(o.p99 / b.p99).toFixed(2)}x (goal ≤ 2x)  ` +
        `p50 ${(o.p50 / b.p50).toFixed(2)}x  server CPU/req ${(o.cpu / b.cpu).toFixed(2)}x`,
    );
  } finally {
    bare.child.kill('SIGTERM');
    await redis.quit();
    await stack.close();
  }
}

runBench(main);
