/** `host:port`, as Sentinel and Cluster seed lists are written. */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Which Redis the bridge talks to. Exactly one of `REDIS_URL`, `REDIS_SENTINELS` or
 * `REDIS_CLUSTER_NODES` picks the mode (read by @bridge/config); none set means a single Redis at
 * the default URL. Defined here, beside the connection factory that consumes it, because config
 * already depends on this package's contracts.
 */
export type RedisTopology =
  | { mode: 'single'; url: string }
  | { mode: 'sentinel'; sentinels: RedisNode[]; name: string; sentinelPassword?: string; password?: string; tls: boolean }
  | { mode: 'cluster'; nodes: RedisNode[]; password?: string; tls: boolean };

export type RedisMode = RedisTopology['mode'];
