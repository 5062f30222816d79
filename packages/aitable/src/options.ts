import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '@bridge/logger';

/** Why a call waited before it was sent. */
export type RateLimitWaitCause = 'limiter' | 'http_429';

/**
 * Observation points for metrics; the client never imports `@bridge/metrics` itself.
 * Hooks must not throw (an exception in a hook is caught and ignored).
 */
export interface AitableHooks {
  /** One HTTP exchange finished: `status` is the HTTP status, the envelope code of a failed answer, or an error code (`timeout`, `network`). */
  onCall?(operation: AitableOperation, status: string, seconds: number): void;
  /** A call waited `ms` before trying (again), for the shared limiter or after an HTTP 429. */
  onRateLimitWait?(datasheetId: string, cause: RateLimitWaitCause, ms: number): void;
  /**
   * AITable answered with an error: `code` is the envelope's (most errors come as HTTP 200 + `success:false`),
   * else the HTTP status. Called for every such answer, 429s the client retries by itself included.
   */
  onErrorAnswer?(datasheetId: string, code: number): void;
}

export type AitableOperation = 'listRecords' | 'getRecord' | 'createRecords' | 'updateRecords' | 'deleteRecords' | 'getFields';

export interface AitableClientOptions {
  /** E.g. `https://aitable.ai/fusion`; the client appends `/v1`. */
  baseUrl: string;
  apiKey: string;
  /** Timeout of one HTTP call. @defaultValue 10000 */
  timeoutMs?: number;
  /** Redis shared by every process of the deployment; holds the rate limiter's windows. */
  redis: Redis | Cluster;
  /** Requests per second per datasheet, across all processes. @defaultValue 5 */
  rateLimitPerSecond?: number;
  /** Added to the 1 s window (slots count from when the answer came back, so this only absorbs clock rounding). @defaultValue 10 */
  rateLimitMarginMs?: number;
  /** Redis key prefix of the limiter. @defaultValue `bridge:aitable:rl` */
  rateLimitPrefix?: string;
  /** Longest total wait for a limiter slot before the call fails as throttled. @defaultValue 60000 */
  maxLimiterWaitMs?: number;
  /** HTTP 429s retried in-client before a throttled AppError is thrown. @defaultValue 5 */
  throttleRetries?: number;
  /** Pause after an HTTP 429, jittered ±20 %. @defaultValue 1000 */
  throttleBackoffMs?: number;
  /**
   * Bulk (backfill) reads and writes wait for a full request until none has joined for this long
   * (one limiter window: the jobs feeding them have paused). @defaultValue 1000
   */
  bulkQuietMs?: number;
  /** …and never longer than this in all. @defaultValue 10000 */
  bulkMaxWaitMs?: number;
  hooks?: AitableHooks;
  logger?: Logger;
}

export type ResolvedAitableOptions = Required<Omit<AitableClientOptions, 'hooks' | 'logger'>> &
  Pick<AitableClientOptions, 'hooks' | 'logger'>;

export function resolveAitableOptions(o: AitableClientOptions): ResolvedAitableOptions {
  return {
    timeoutMs: 10_000,
    rateLimitPerSecond: 5,
    rateLimitMarginMs: 10,
    rateLimitPrefix: 'bridge:aitable:rl',
    maxLimiterWaitMs: 60_000,
    throttleRetries: 5,
    throttleBackoffMs: 1000,
    bulkQuietMs: 1000,
    bulkMaxWaitMs: 10_000,
    ...stripUndefined(o),
  } as ResolvedAitableOptions;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The config variables the client reads (a structural subset of `@bridge/config`'s `aitableApi` section). */
export interface AitableConfigVars {
  AITABLE_API_KEY: string;
  AITABLE_BASE_URL: string;
  AITABLE_TIMEOUT_MS: number;
  AITABLE_RATE_LIMIT_PER_SECOND: number;
  AITABLE_RATE_LIMIT_MARGIN_MS: number;
  AITABLE_RATE_LIMIT_PREFIX: string;
  AITABLE_THROTTLE_RETRIES: number;
  AITABLE_THROTTLE_BACKOFF_MS: number;
}

/** Client options from the loaded config, plus the process's Redis, hooks and logger. */
export function aitableOptionsFromConfig(
  config: AitableConfigVars,
  deps: { redis: Redis | Cluster; hooks?: AitableHooks; logger?: Logger },
): AitableClientOptions {
  return {
    baseUrl: config.AITABLE_BASE_URL,
    apiKey: config.AITABLE_API_KEY,
    timeoutMs: config.AITABLE_TIMEOUT_MS,
    rateLimitPerSecond: config.AITABLE_RATE_LIMIT_PER_SECOND,
    rateLimitMarginMs: config.AITABLE_RATE_LIMIT_MARGIN_MS,
    rateLimitPrefix: config.AITABLE_RATE_LIMIT_PREFIX,
    throttleRetries: config.AITABLE_THROTTLE_RETRIES,
    throttleBackoffMs: config.AITABLE_THROTTLE_BACKOFF_MS,
    ...deps,
  };
}
