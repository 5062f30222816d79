import { z } from 'zod';
import type { RedisMode, RedisNode, RedisTopology } from '@bridge/queues/contracts';
import { bool, int } from './helpers';

export type { RedisMode, RedisNode, RedisTopology };

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const nodeList = () =>
  z.string().transform((v, ctx) => {
    const nodes: RedisNode[] = [];
    for (const item of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(item);
      const port = m ? Number(m[2]) : NaN;
      if (!m || port < 1 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of host:port, and "${item}" is not` });
        return z.NEVER;
      }
      nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
    }
    if (nodes.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'must list at least one host:port' });
      return z.NEVER;
    }
    return nodes;
  });

/** The Redis part of the core section: read by every process. */
export const redisSection = {
  /** Single Redis (or a managed primary behind one failover address). @defaultValue `redis://127.0.0.1:6379` when no mode is set */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Sentinel mode: the sentinels to ask for the current primary. */
  REDIS_SENTINELS: nodeList().optional(),
  /** Sentinel mode: the monitored primary's name (`sentinel monitor <name> …`). */
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Cluster mode: some of the cluster's nodes; the rest are discovered. */
  REDIS_CLUSTER_NODES: nodeList().optional(),
  /** Sentinel and Cluster modes: the data nodes' password (in single mode it is part of REDIS_URL). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Sentinel and Cluster modes: TLS to the data nodes and sentinels (in single mode: a rediss:// URL). */
  REDIS_TLS: bool(false),
};

interface RedisVars {
  REDIS_URL?: string;
  REDIS_SENTINELS?: RedisNode[];
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: RedisNode[];
  REDIS_PASSWORD?: string;
  REDIS_TLS: boolean;
}

/** Every reason the Redis variables do not name exactly one mode, each naming a variable. */
export function redisProblems(c: RedisVars): string[] {
  const set = [c.REDIS_URL && 'REDIS_URL', c.REDIS_SENTINELS && 'REDIS_SENTINELS', c.REDIS_CLUSTER_NODES && 'REDIS_CLUSTER_NODES'].filter(
    (n): n is string => !!n,
  );
  const problems: string[] = [];
  if (set.length > 1) problems.push(`${set.join(' and ')} are both set: choose one Redis mode (single, Sentinel or Cluster)`);
  if (c.REDIS_SENTINELS && !c.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is required with REDIS_SENTINELS');
  if (!c.REDIS_SENTINELS) {
    if (c.REDIS_SENTINEL_NAME) problems.push('REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not');
    if (c.REDIS_SENTINEL_PASSWORD) problems.push('REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not');
  }
  if (c.REDIS_SENTINELS === undefined && c.REDIS_CLUSTER_NODES === undefined) {
    if (c.REDIS_PASSWORD)
      problems.push('REDIS_PASSWORD applies to Sentinel and Cluster modes; with one Redis put the password in REDIS_URL');
    if (c.REDIS_TLS) problems.push('REDIS_TLS applies to Sentinel and Cluster modes; with one Redis use a rediss:// REDIS_URL');
  }
  return problems;
}

/** The mode the (validated) variables name. */
export function redisTopology(c: RedisVars): RedisTopology {
  if (c.REDIS_SENTINELS) {
    return {
      mode: 'sentinel',
      sentinels: c.REDIS_SENTINELS,
      name: c.REDIS_SENTINEL_NAME!,
      sentinelPassword: c.REDIS_SENTINEL_PASSWORD,
      password: c.REDIS_PASSWORD,
      tls: c.REDIS_TLS,
    };
  }
  if (c.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: c.REDIS_CLUSTER_NODES, password: c.REDIS_PASSWORD, tls: c.REDIS_TLS };
  return { mode: 'single', url: c.REDIS_URL ?? DEFAULT_REDIS_URL };
}

/** Where a client first connects: the URL's host, the sentinels, or the cluster's seed nodes. */
export function redisEndpoints(t: RedisTopology): RedisNode[] {
  if (t.mode === 'sentinel') return t.sentinels;
  if (t.mode === 'cluster') return t.nodes;
  const u = new URL(t.url);
  return [{ host: u.hostname, port: Number(u.port || 6379) }];
}

/** One line for banners and /status: the mode and where it points, never a password. */
export function describeRedis(t: RedisTopology): string {
  const list = (nodes: RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (t.mode === 'sentinel') return `sentinel (primary "${t.name}" via ${list(t.sentinels)}${t.tls ? ', TLS' : ''})`;
  if (t.mode === 'cluster') return `cluster (seed ${list(t.nodes)}${t.tls ? ', TLS' : ''})`;
  const u = new URL(t.url);
  return `single (${u.protocol}//${u.host}${u.protocol === 'rediss:' ? ', TLS' : ''})`;
}

/**
 * What ingest does to keep a 202 through a failover, by mode:
 * - `waitReplicas`: replicas that must acknowledge a job before its 202 (Redis WAIT); 0 = no WAIT.
 *   One in Sentinel and Cluster modes, where a failover would otherwise drop writes the old
 *   primary had not sent on; none for one Redis, which has no replica to promote.
 * - `failoverHoldMs`: how long a request waits for a new primary before its 503. Sentinel and
 *   Cluster elect one within seconds; one Redis has nobody to elect, so it fails at once. Under
 *   5 s, so a sender that gives up after 5 s still reads the answer.
 */
export const ingestDurabilitySection = {
  /** @defaultValue 1 in Sentinel and Cluster modes, 0 (off) with one Redis */
  INGEST_REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).optional(),
  /** Longest WAIT for the replicas, per request. @defaultValue 250 */
  INGEST_REDIS_WAIT_TIMEOUT_MS: int(250, 1, 10_000),
  /** @defaultValue 4500 in Sentinel and Cluster modes, 0 with one Redis */
  INGEST_FAILOVER_HOLD_MS: z.coerce.number().int().min(0).max(25_000).optional(),
};

export interface IngestDurability {
  waitReplicas: number;
  waitTimeoutMs: number;
  failoverHoldMs: number;
}

export function ingestDurability(
  c: RedisVars & { INGEST_REDIS_WAIT_REPLICAS?: number; INGEST_REDIS_WAIT_TIMEOUT_MS: number; INGEST_FAILOVER_HOLD_MS?: number },
): IngestDurability {
  const replicated = redisTopology(c).mode !== 'single';
  return {
    waitReplicas: c.INGEST_REDIS_WAIT_REPLICAS ?? (replicated ? 1 : 0),
    waitTimeoutMs: c.INGEST_REDIS_WAIT_TIMEOUT_MS,
    failoverHoldMs: c.INGEST_FAILOVER_HOLD_MS ?? (replicated ? 4500 : 0),
  };
}
