import { z } from 'zod';
import { int } from '../helpers';

export const coreSection = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'http', 'verbose', 'debug']).default('info'),
  /** @defaultValue `json` when NODE_ENV is production, else `pretty` (for people at a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  /** Redis key prefix of every queue; lets several deployments (or test runs) share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('bridge'),
  /** Public URL of this deployment (the guide's NEXT_PUBLIC_APP_URL, also accepted as APP_URL). */
  APP_URL: z.url().optional(),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100),
};
