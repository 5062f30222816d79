/**
 * Ingest on each Redis mode, with WAIT off and on: throughput and p99 of a real ingest process
 * (default settings otherwise), each as a ratio against one Redis node started the same way (AOF,
 * fsync on every write) in the same run. Every Redis here is private, on free ports.
 * Run: npx tsx bench/redis-modes.ts [requests per round=2000] [concurrency=50]
 * Needs redis-server on the PATH and the local Postgres. Prints figures; asserts nothing.
 */
import { ClusterTopology, freePort, SentinelTopology } from '@bridge/testkit';
import { PrivateRedis } from './chaos/infra';
import { benchCli } from './cli';
import { describeStatuses, fireWebhooks, median, pct, runBench, startStack } from './stack';

const cli = benchCli(`Usage: npx tsx bench/redis-modes.ts [requests per round=2000] [concurrency=50]
Ingest on a private single Redis node, Sentinel (1 replica) and Cluster (3 primaries x 1 replica), WAIT off
and on, every node with AOF + appendfsync always: req/s and p99 as ratios against the single node.
Needs redis-server on the PATH and the local Postgres. Prints figures; asserts nothing.`);
const N = cli.count(0, 'requests per round', 2000);
const CONCURRENCY = cli.count(1, 'concurrency', 50);
const WARMUP = 300;
const ROUNDS = 3;

interface Figures {
  rps: number;
  p99: number;
  statuses: string;
}

let offset = 0;
/** Distinct leads across every setup, so no delivery is a duplicate of an earlier one. */
const uniqueBody = (i: number) => {
  const n = offset + i;
  const fields = { 'Client Name': `Client ${n}`, Email: `c${n}@example.com`, Company: 'Acme Ltd', Status: 'New' };
  return JSON.stringify({ eventType: 'record.created', datasheetId: 'dstLeadsSim', recordId: `recModes${n}`, record: { fields } });
};

async function measure(redisEnv: Record<string, string>): Promise<Figures> {
  // REDIS_URL empty = not set, so the topology's variables are the only mode.
  const stack = await startStack({ leads: 0, workers: 0, env: { REDIS_URL: '', ...redisEnv } });
  try {
    const fire = async (count: number, latencies?: number[]) => {
      const statuses = await fireWebhooks(stack.ingestPort, count, CONCURRENCY, uniqueBody, latencies);
      offset += count;
      return statuses;
    };
    await fire(WARMUP);
    const rates: number[] = [];
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      for (const [s, n] of await fire(N, latencies)) statuses.set(s, (statuses.get(s) ?? 0) + n);
      rates.push(N / ((performance.now() - t0) / 1000));
    }
    return {
      rps: median(rates),
      p99: pct(
        latencies.sort((a, b) => a - b),
        99,
      ),
      statuses: describeStatuses(statuses),
    };
  } finally {
    await stack.close();
  }
}

async function main(): Promise<void> {
  const single = new PrivateRedis(await freePort());
  await single.start();
  const sentinel = await SentinelTopology.start();
  const cluster = await ClusterTopology.start();
  try {
    const setups: [string, Record<string, string>][] = [
      ['single node (baseline)', { REDIS_URL: single.url }],
      ['Sentinel, WAIT off', { ...sentinel.env, INGEST_REDIS_WAIT_REPLICAS: '0' }],
      ['Sentinel, WAIT 1 replica', { ...sentinel.env, INGEST_REDIS_WAIT_REPLICAS: '1' }],
      ['Cluster, WAIT off', { ...cluster.env, INGEST_REDIS_WAIT_REPLICAS: '0' }],
      ['Cluster, WAIT 1 replica', { ...cluster.env, INGEST_REDIS_WAIT_REPLICAS: '1' }],
    ];
    console.log(
      `Ingest by Redis mode: ${ROUNDS} rounds of ${N} distinct signed leads, ${CONCURRENCY} in flight, keep-alive; every node AOF + fsync always`,
    );
    let base: Figures | undefined;
    for (const [name, env] of setups) {
      const f = await measure(env);
      base ??= f;
      console.log(
        `  ${name.padEnd(25)} ${f.rps.toFixed(0).padStart(5)} req/s (${(f.rps / base.rps).toFixed(2)}x)  ` +
          `p99 ${f.p99.toFixed(1)} ms (${(f.p99 / base.p99).toFixed(2)}x)  answers: ${f.statuses}`,
      );
    }
  } finally {
    await Promise.allSettled([single.stop(), sentinel.stop(), cluster.stop()]);
  }
}

runBench(main);
