import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every series the service exposes, in one place so ingest, worker and dashboard name them
 * the same way. Each process builds its own registry (no global default registry), which
 * keeps tests and several apps in one process apart.
 */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  return {
    registry,
    deliveries: new Counter({
      name: 'bridge_webhook_deliveries_total',
      help: 'Webhook deliveries received, by outcome (accepted, duplicate, rejected) and rejection reason.',
      labelNames: ['source', 'outcome', 'reason', 'queue'] as const,
      registers,
    }),
    queueJobs: new Gauge({
      name: 'bridge_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time.',
      labelNames: ['queue', 'state'] as const,
      registers,
    }),
    queueOldestWaiting: new Gauge({
      name: 'bridge_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when none waits), read from Redis at scrape time.',
      labelNames: ['queue'] as const,
      registers,
    }),
    lastDelivery: new Gauge({
      name: 'bridge_webhook_last_received_timestamp_seconds',
      help: 'Unix time of the newest stored webhook delivery, by outcome, read from Postgres at scrape time (survives restarts).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    jobDuration: new Histogram({
      name: 'bridge_job_duration_seconds',
      help: 'Time one job attempt took, by queue and outcome (completed, retry, delayed, failed).',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    jobAttempts: new Histogram({
      name: 'bridge_job_attempts',
      help: 'Attempts a job had used when it finished, by queue and final state.',
      labelNames: ['queue', 'state'] as const,
      buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
      registers,
    }),
    outageDelays: new Counter({
      name: 'bridge_job_outage_delays_total',
      help: 'Times a job waited out an outage (Postgres, Redis, AITable, MissionX down) without spending an attempt, by queue and error code.',
      labelNames: ['queue', 'code'] as const,
      registers,
    }),
    externalCalls: new Counter({
      name: 'bridge_external_calls_total',
      help: 'Calls to AITable and MissionX, by service, operation and HTTP status (or error code).',
      labelNames: ['service', 'operation', 'status'] as const,
      registers,
    }),
    externalCallDuration: new Histogram({
      name: 'bridge_external_call_duration_seconds',
      help: 'Latency of calls to AITable and MissionX.',
      labelNames: ['service', 'operation'] as const,
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    syncLatency: new Histogram({
      name: 'bridge_sync_latency_seconds',
      help: 'From webhook received to sync row success, by entity type.',
      labelNames: ['entity'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    rateLimitWaits: new Counter({
      name: 'bridge_rate_limit_waits_total',
      help: 'Times a call to AITable waited for the shared rate limit or for a 429, by datasheet and cause.',
      labelNames: ['datasheet', 'cause'] as const,
      registers,
    }),
    reconciledRecords: new Counter({
      name: 'bridge_reconciled_records_total',
      help: 'Records found by reconciliation (modified since the last sync), by datasheet and outcome (enqueued, duplicate).',
      labelNames: ['datasheet', 'outcome'] as const,
      registers,
    }),
    syncConflicts: new Counter({
      name: 'bridge_sync_conflicts_total',
      help: 'Fields the bridge owns found holding a value it did not write, by AITable field and outcome (restored, adopted, held, resolved_aitable, resolved_missionx).',
      labelNames: ['field', 'outcome'] as const,
      registers,
    }),
    missionxClientLookups: new Counter({
      name: 'bridge_missionx_client_lookups_total',
      help: 'Searches for a MissionX client whose create answer was lost, by kind (window: clients updated since the create; full_scan: every client, the last resort) and outcome (found, missing).',
      labelNames: ['kind', 'outcome'] as const,
      registers,
    }),
    dbRowsRefused: new Counter({
      name: 'bridge_db_rows_refused_total',
      help: 'Rows Postgres refused for their data (set aside, never retried), by table and SQLSTATE (54000: value too big for its index).',
      labelNames: ['table', 'sqlstate'] as const,
      registers,
    }),
    rateLimitWaitSeconds: new Counter({
      name: 'bridge_rate_limit_wait_seconds_total',
      help: 'Total time spent waiting for the AITable rate limit, by datasheet.',
      labelNames: ['datasheet'] as const,
      registers,
    }),
    redisReconnects: new Counter({
      name: 'bridge_redis_reconnects_total',
      help: 'Times a Redis connection was lost and is being re-established (a restart, a failover, a network cut), by connection.',
      labelNames: ['connection'] as const,
      registers,
    }),
    redisWaitFailures: new Counter({
      name: 'bridge_redis_wait_failures_total',
      help: 'Enqueues whose job fewer replicas confirmed (Redis WAIT) than INGEST_REDIS_WAIT_REPLICAS asks, within its timeout.',
      registers,
    }),
    redisFailoverHolds: new Counter({
      name: 'bridge_ingest_failover_holds_total',
      help: 'Requests held for a new Redis primary (INGEST_FAILOVER_HOLD_MS), by how the hold ended: stored or gave_up (503).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    httpTimeouts: new Counter({
      name: 'bridge_http_timeouts_total',
      help: 'HTTP requests cut off because the client sent them too slowly, by phase (headers, body); answered 408 or closed.',
      labelNames: ['phase'] as const,
      registers,
    }),
    unauthenticatedUnstored: new Counter({
      name: 'bridge_unauthenticated_rejects_unstored_total',
      help: 'Unauthenticated requests (bad signature or token, body too large) rejected without a delivery row, by source and answer (401, 413, 429): over INGEST_UNAUTH_STORED_PER_MINUTE or rate limited.',
      labelNames: ['source', 'status'] as const,
      registers,
    }),
    loginsRefused: new Counter({
      name: 'bridge_dashboard_logins_refused_total',
      help: 'Dashboard logins refused, by why: wrong (bad name or password, answered 401) or throttled (429, over a LOGIN_FAILURES_* limit).',
      labelNames: ['why'] as const,
      registers,
    }),
    passwordChecks: new Counter({
      name: 'bridge_dashboard_password_checks_total',
      help: 'Password hashes computed to check a dashboard login, by hash (scrypt, sha256, plain); every check costs one scrypt, whether the name exists or not.',
      labelNames: ['hash'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
