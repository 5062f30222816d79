import { ConfigError, describeRedis, ingestDurability, loadConfig, redisTopology } from '@bridge/config';

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
  AITABLE_WEBHOOK_SECRET: 'first-secret-0123456789',
  AUDIT_API_TOKEN: 'audit-token-0123456789',
  AITABLE_LEADS_DATASHEET_ID: 'dstLeads',
  AITABLE_ORDERS_DATASHEET_ID: 'dstOrders',
  AITABLE_AUDIT_RESULTS_DATASHEET_ID: 'dstAudit',
};
const load = (env: Record<string, string>) => loadConfig({ ...base, ...env }, ['ingest', 'datasheets']);

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('Redis mode from the environment', () => {
  it('when nothing is set, then one Redis at the default URL, without WAIT or hold', () => {
    const c = load({});
    expect(redisTopology(c)).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(ingestDurability(c)).toEqual({ waitReplicas: 0, waitTimeoutMs: 250, failoverHoldMs: 0 });
    expect(describeRedis(redisTopology(load({ REDIS_URL: 'rediss://:pw@cache.example:6380' })))).toBe(
      'single (rediss://cache.example:6380, TLS)',
    );
  });

  it('when sentinels and a name are set, then Sentinel mode with WAIT for one replica and a 4.5 s hold', () => {
    const c = load({
      REDIS_SENTINELS: 's1:26379, s2:26380',
      REDIS_SENTINEL_NAME: 'bridge',
      REDIS_SENTINEL_PASSWORD: 'sp',
      REDIS_PASSWORD: 'dp',
    });
    expect(redisTopology(c)).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'bridge',
      sentinelPassword: 'sp',
      password: 'dp',
      tls: false,
    });
    expect(ingestDurability(c)).toEqual({ waitReplicas: 1, waitTimeoutMs: 250, failoverHoldMs: 4500 });
    expect(describeRedis(redisTopology(c))).toBe('sentinel (primary "bridge" via s1:26379,s2:26380)');
  });

  it('when cluster nodes are set, then Cluster mode; explicit WAIT and hold settings win over the mode defaults', () => {
    const c = load({
      REDIS_CLUSTER_NODES: '10.0.0.1:6379,[::1]:7000',
      REDIS_TLS: 'true',
      INGEST_REDIS_WAIT_REPLICAS: '0',
      INGEST_FAILOVER_HOLD_MS: '2000',
    });
    expect(redisTopology(c)).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: '::1', port: 7000 },
      ],
      password: undefined,
      tls: true,
    });
    expect(ingestDurability(c)).toEqual({ waitReplicas: 0, waitTimeoutMs: 250, failoverHoldMs: 2000 });
  });

  it('when two modes are set, or one half of a mode, then each problem names its variable', () => {
    expect(problems({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:6379' })).toEqual([
      'REDIS_URL and REDIS_CLUSTER_NODES are both set: choose one Redis mode (single, Sentinel or Cluster)',
    ]);
    expect(problems({ REDIS_SENTINELS: 's1:26379' })).toEqual(['REDIS_SENTINEL_NAME is required with REDIS_SENTINELS']);
    expect(problems({ REDIS_SENTINEL_NAME: 'bridge' })).toEqual(['REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not']);
    expect(problems({ REDIS_PASSWORD: 'x' })).toEqual([
      'REDIS_PASSWORD applies to Sentinel and Cluster modes; with one Redis put the password in REDIS_URL',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'a:6379,nohost' })).toEqual([
      'REDIS_CLUSTER_NODES must be a comma-separated list of host:port, and "nohost" is not',
    ]);
    expect(problems({ REDIS_URL: 'http://a' })).toEqual(['REDIS_URL must be a redis:// or rediss:// URL']);
  });

  it('when QUEUE_PREFIX is one hash tag, then it is accepted; a tag inside other text is not', () => {
    expect(load({ QUEUE_PREFIX: '{bridge}' }).QUEUE_PREFIX).toBe('{bridge}');
    expect(problems({ QUEUE_PREFIX: 'a{b}' })).toEqual(['QUEUE_PREFIX must be letters, digits, _ and -, optionally as one {hash tag}']);
  });
});
