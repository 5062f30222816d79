import { z } from 'zod';
import { int, list, port } from '../helpers';
import { metricsPort } from './http';
import { ingestDurabilitySection } from '../redis';

export const ingestSection = {
  INGEST_PORT: port(3000),
  /** Serve `/metrics` on this port instead of INGEST_PORT, so a public ingest URL does not expose it. */
  INGEST_METRICS_PORT: metricsPort(),
  /** Comma-separated: several secrets are accepted at once so a secret can be rotated without downtime. */
  AITABLE_WEBHOOK_SECRET: list().pipe(
    z.array(z.string().min(16, 'each secret needs at least 16 characters')).min(1, 'needs at least one secret'),
  ),
  /** `hmac`: only a signature of the body; `token`: only the static secret; `any`: either. */
  AITABLE_WEBHOOK_AUTH: z.enum(['hmac', 'token', 'any']).default('any'),
  /** Largest body accepted, in bytes. @defaultValue 262144 (256 KB) */
  WEBHOOK_BODY_LIMIT_BYTES: int(256 * 1024, 1024, 50 * 1024 * 1024),
  /**
   * A delivery resent within this window gives one job: the same `webhook-id`, or the same audit
   * result. An AITable event without a `webhook-id` is only known by its content, which repeats
   * for real new changes, so it joins a job of the same content only until that job finishes.
   * @defaultValue 86400 (24 h)
   */
  WEBHOOK_DEDUP_WINDOW_SECONDS: int(86_400, 1),
  /** Bearer token the audit engine sends to POST /api/audit-results. */
  AUDIT_API_TOKEN: z.string().min(16, 'needs at least 16 characters'),
  /** How long the 202 path waits for Redis before answering 503. @defaultValue 1000 */
  INGEST_REDIS_TIMEOUT_MS: int(1000, 50, 30_000),
  ...ingestDurabilitySection,
  /** Delivery rows written to Postgres per INSERT, off the request path. @defaultValue 200 */
  DELIVERY_BATCH_SIZE: int(200, 1, 5000),
  /** Longest a delivery row waits before its batch is written. @defaultValue 250 */
  DELIVERY_FLUSH_MS: int(250, 5, 60_000),
  /** Delivery rows kept in memory while Postgres is away; beyond it the oldest are dropped (and logged). @defaultValue 10000 */
  DELIVERY_BUFFER_MAX: int(10_000, 100, 1_000_000),
};
