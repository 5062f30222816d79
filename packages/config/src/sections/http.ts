import { z } from 'zod';
import { int } from '../helpers';

/**
 * Limits of every HTTP server we run (ingest, dashboard, worker metrics), so a client that
 * sends its request slowly (slowloris) cannot hold connections open.
 */
export const httpSection = {
  /** The whole request (headers and body) must arrive within this; else 408 and the connection closes. @defaultValue 10000 */
  HTTP_REQUEST_TIMEOUT_MS: int(10_000, 100, 600_000),
  /** The request headers must arrive within this (at most HTTP_REQUEST_TIMEOUT_MS). @defaultValue 5000 */
  HTTP_HEADERS_TIMEOUT_MS: int(5_000, 100, 600_000),
  /** An idle keep-alive connection is closed after this. @defaultValue 5000 */
  HTTP_KEEPALIVE_TIMEOUT_MS: int(5_000, 100, 600_000),
  /** When set, `/metrics` answers only `Authorization: Bearer <token>`; else it is open. */
  METRICS_TOKEN: z.string().min(16, 'needs at least 16 characters').optional(),
};

/** Optional port of a separate `/metrics` server; unset serves `/metrics` on the main port. 0 picks a free port. */
export const metricsPort = () => z.coerce.number().int().min(0).max(65535).optional();
