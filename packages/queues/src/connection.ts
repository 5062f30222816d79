import type { RedisTopology } from './redis-topology';
import { SwitchWatchingSentinelConnector } from './sentinel-connector';
import { withTimeLimit } from '@bridge/errors';
import IORedis, { Cluster, type ClusterOptions, type Redis, type RedisOptions } from 'ioredis';

/** A connection of any mode: one Redis (direct or found through Sentinel) or a Cluster client. */
export type RedisConnection = Redis | Cluster;

/** What createRedis connects to: a redis:// URL (tests, tools) or the topology from the config. */
export type RedisTarget = string | RedisTopology;

/**
 * - `producer`: the ingest hot path. Commands fail at once while Redis is down instead of
 *   queueing in memory, so a request can answer 503 rather than hang or be lost.
 * - `worker`: BullMQ workers block on Redis and must retry forever (`maxRetriesPerRequest: null`).
 * - `coordination`: per-record locks and the AITable rate limiter, used inside a running job.
 *   A command waits through a short Redis restart but fails after {@link COORDINATION_COMMAND_TIMEOUT_MS}:
 *   a job stuck on Redis for longer than its locks last would otherwise wake up after another
 *   worker took the job over as stalled, and both would run its side effects.
 */
export type RedisRole = 'producer' | 'worker' | 'coordination';

/** Well below the default job and record lock times (30 s), so a blocked job gives up before its locks lapse. */
export const COORDINATION_COMMAND_TIMEOUT_MS = 5000;

const ROLE_OPTIONS: Record<RedisRole, RedisOptions> = {
  producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 },
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  coordination: { maxRetriesPerRequest: null, enableReadyCheck: true, commandTimeout: COORDINATION_COMMAND_TIMEOUT_MS },
};

/** Reconnect forever with a capped delay: Redis restarts and failovers must not need our restart too. */
const retryStrategy = (times: number) => Math.min(times * 200, 2000);

/**
 * A primary demoted by a failover keeps its sockets open and answers writes with READONLY; a
 * node still loading its AOF answers LOADING. Both mean "reconnect and send it again" (2): the
 * reconnect asks the sentinels (or the cluster) where the primary is now.
 */
export const reconnectOnError = (err: Error): 2 | false => (/^(READONLY|LOADING)/.test(err.message) ? 2 : false);

/**
 * The one factory of every Redis connection, in every mode. `role` fixes how commands behave
 * while Redis is away; `extra` adds options for one caller (a CLI's longer connect timeout).
 */
export function createRedis(target: RedisTarget, role: RedisRole, extra: RedisOptions = {}): RedisConnection {
  const node: RedisOptions = { ...ROLE_OPTIONS[role], retryStrategy, reconnectOnError, ...extra };
  const topology: RedisTopology = typeof target === 'string' ? { mode: 'single', url: target } : target;
  if (topology.mode === 'single') return new IORedis(topology.url, node);
  const tls = topology.tls ? { tls: {} } : {};
  if (topology.mode === 'sentinel') {
    return new IORedis({
      ...node,
      ...tls,
      sentinels: topology.sentinels,
      name: topology.name,
      password: topology.password,
      sentinelPassword: topology.sentinelPassword,
      enableTLSForSentinelMode: topology.tls,
      // While every sentinel is unreachable, keep asking: null here would end the connection for
      // good, the silent worker stop of BullMQ issue #4378.
      sentinelRetryStrategy: retryStrategy,
      // Ask the sentinels again whenever they announce a new primary, not only on a broken socket
      // (ioredis's own failoverDetector can end the connection for good: see the connector).
      Connector: SwitchWatchingSentinelConnector,
    });
  }
  const { enableOfflineQueue, enableAutoPipelining, ...perNode } = node;
  const cluster: ClusterOptions = {
    redisOptions: { ...perNode, ...tls, password: topology.password },
    // Node options are not inherited by the Cluster client itself: the producer's fail-fast must be set here too.
    enableOfflineQueue: enableOfflineQueue ?? true,
    enableAutoPipelining: enableAutoPipelining ?? false,
    enableReadyCheck: true,
    clusterRetryStrategy: retryStrategy,
    // A slot moving to a promoted replica: retry while the cluster settles instead of failing the command.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    // TLS certificates name the host, not the resolved IP (managed clusters).
    ...(topology.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
  };
  return new Cluster(topology.nodes, cluster);
}

/**
 * The key prefix of one queue. One Redis keeps `QUEUE_PREFIX` as it is (the keys of jobs already
 * queued do not move). On a Cluster every BullMQ script touches many keys of its queue, which must
 * share a slot: a prefix that is already a hash tag (`{bridge}`) is used as it is (every queue in
 * one slot), any other gets one tag per queue (`{bridge-leads}`), so the queues spread over the nodes.
 */
export function queuePrefix(prefix: string, queue: string, connection: { isCluster?: boolean } | object): string {
  const clustered = 'isCluster' in connection && connection.isCluster === true;
  if (!clustered || /\{[^}]+\}/.test(prefix)) return prefix;
  return `{${prefix}-${queue}}`;
}

/**
 * Waits until `replicas` replicas hold every write this connection has sent so far (Redis WAIT);
 * answers how many did within `timeoutMs`. On a Cluster the WAIT goes to the primary of the slot of
 * `slotKey`, over the very connection that carried the write, as WAIT counts that connection's writes.
 *
 * Concurrent callers share WAITs (group commit): a WAIT blocks every later command on its connection
 * until it returns, so one WAIT per request would line the adds of a burst up behind each other and,
 * with a replica gone, turn `waitTimeoutMs` per request into seconds of backlog. One WAIT covers all
 * writes sent before it, so at most one runs and one more gathers the callers that came during it.
 */
export function waitForReplicas(connection: RedisConnection, slotKey: string, replicas: number, timeoutMs: number): Promise<number> {
  const perConnection = replicaWaits.get(connection) ?? new Map<string, GroupedWait>();
  replicaWaits.set(connection, perConnection);
  // Off a Cluster one WAIT covers the connection's writes to every key.
  const group = `${connection.isCluster ? slotKey : ''}|${replicas}|${timeoutMs}`;
  let wait = perConnection.get(group);
  if (!wait) {
    wait = new GroupedWait(() => sendWait(connection, slotKey, replicas, timeoutMs));
    perConnection.set(group, wait);
  }
  return wait.join();
}

const replicaWaits = new WeakMap<RedisConnection, Map<string, GroupedWait>>();

class GroupedWait {
  private running?: Promise<number>;
  private gathering?: Promise<number>;
  constructor(private readonly send: () => Promise<number>) {}

  join(): Promise<number> {
    if (!this.running) return this.start();
    // The running WAIT may have been sent before this caller's write: it needs the next one.
    this.gathering ??= this.running.then(settle, settle).then(() => {
      this.gathering = undefined;
      return this.start();
    });
    return this.gathering;
  }

  private start(): Promise<number> {
    const running = this.send().finally(() => {
      if (this.running === running) this.running = undefined;
    });
    this.running = running;
    return running;
  }
}

const settle = () => undefined;

// A key's slot never changes (only which node serves it), and ingest asks about three keys.
const slotOfKey = new Map<string, number>();

async function sendWait(connection: RedisConnection, slotKey: string, replicas: number, timeoutMs: number): Promise<number> {
  if (!connection.isCluster) return (connection as Redis).wait(replicas, timeoutMs);
  const cluster = connection as Cluster;
  let slot = slotOfKey.get(slotKey);
  if (slot === undefined) {
    slot = Number(await cluster.cluster('KEYSLOT', slotKey));
    slotOfKey.set(slotKey, slot);
  }
  const owner = cluster.slots[slot]?.[0];
  const primary = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (!primary) throw new Error(`no primary known for slot ${slot}`);
  return primary.wait(replicas, timeoutMs);
}

/** True when Redis answers PING within timeoutMs. */
export async function pingRedis(redis: RedisConnection, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await withTimeLimit(redis.ping(), timeoutMs, () => 'timeout')) === 'PONG';
  } catch {
    return false;
  }
}
