import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { transient } from '@bridge/errors';
import { AITABLE_ERROR_CODES } from './errors';

/**
 * Sliding-window log in one sorted set per key, decided atomically in Redis with Redis's own
 * clock, so every process of the deployment shares one exact count (a fixed window or a GCRA
 * with a burst could let a sixth request into some one-second span).
 * Returns 0 when the slot is taken, else the milliseconds until the oldest entry leaves the window.
 */
const SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');

export interface SlidingWindowLimiterOptions {
  redis: Redis;
  prefix: string;
  /** Requests allowed in any window. */
  limit: number;
  windowMs: number;
}

/** A rate limit shared through Redis by every process that uses the same prefix. */
export class SlidingWindowLimiter {
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(private readonly opts: SlidingWindowLimiterOptions) {}

  /**
   * Takes a slot for `key` if one is free. Resolves 0 on success, else how many ms to wait
   * before asking again. Redis failures become a transient AppError.
   */
  async tryTake(key: string): Promise<number> {
    const args = [1, `${this.opts.prefix}:${key}`, this.opts.limit, this.opts.windowMs, `${this.instance}:${++this.seq}`] as const;
    try {
      try {
        return Number(await this.opts.redis.evalsha(SHA, ...args));
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
        return Number(await this.opts.redis.eval(SCRIPT, ...args));
      }
    } catch (err) {
      throw transient(AITABLE_ERROR_CODES.limiterUnavailable, `The shared AITable rate limiter (Redis) failed for ${key}: ${err instanceof Error ? err.message : String(err)}`, {
        details: { key },
      });
    }
  }
}
