import { z } from 'zod';
import { int } from '../helpers';
import { redisSection } from '../redis';

export const coreSection = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'http', 'verbose', 'debug']).default('info'),
  /** @defaultValue `json` when NODE_ENV is production, else `pretty` (for people at a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  ...redisSection,
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /**
   * Redis key prefix of every queue; lets several deployments (or test runs) share one Redis.
   * May be one hash tag (`{bridge}`): then every queue shares one Cluster slot. Without one, Cluster
   * mode gives each queue its own tag (see queuePrefix in @bridge/queues).
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9_-]+|\{[A-Za-z0-9_-]+\})$/, 'must be letters, digits, _ and -, optionally as one {hash tag}')
    .default('bridge'),
  /** Public URL of this deployment (the guide's NEXT_PUBLIC_APP_URL, also accepted as APP_URL). */
  APP_URL: z.url().optional(),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
};
