import { createHash, randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { transient } from '@bridge/errors';
import { AITABLE_ERROR_CODES } from './errors';

/**
 * Sliding-window log in one sorted set per key, decided atomically in Redis with Redis's own
 * clock, so every process of the deployment shares one exact count (a fixed window or a GCRA
 * with a burst could let a sixth request into some one-second span).
 * A granted slot is stamped `lease` ms in the future until it is settled: a request still in
 * flight (a slow answer, a starved event loop between grant and send) must not leave the window
 * and let another in beside it. A crashed holder's slot comes back after lease + window.
 * Returns 0 when the slot is taken, else the milliseconds until a slot can free up.
 */
const TAKE = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now + lease, ARGV[3])
  redis.call('PEXPIRE', key, window + lease)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if tonumber(oldest[2]) > now then wait = window end
if wait < 1 then wait = 1 end
return wait
`;

/**
 * Re-stamps a taken slot with the time the answer came back. AITable counts a request when it
 * arrives, somewhere between our grant and our answer; counting it from the answer is the only
 * stamp that no latency jitter can turn into a sixth request in one of AITable's seconds.
 */
const SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 1
`;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const SCRIPTS = { take: { src: TAKE, sha: sha1(TAKE) }, settle: { src: SETTLE, sha: sha1(SETTLE) } };

export interface SlidingWindowLimiterOptions {
  redis: Redis | Cluster;
  prefix: string;
  /** Requests allowed in any window. */
  limit: number;
  windowMs: number;
  /** Longest time a granted slot may stay unsettled (its request in flight). @defaultValue 30000 */
  leaseMs?: number;
}

/** A slot taken from the limiter; call `settle()` once the request has been answered (or failed). */
export interface LimiterSlot {
  settle(): Promise<void>;
}

export type TakeResult = { granted: true; slot: LimiterSlot } | { granted: false; waitMs: number };

/** A rate limit shared through Redis by every process that uses the same prefix. */
export class SlidingWindowLimiter {
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(private readonly opts: SlidingWindowLimiterOptions) {}

  /** Takes a slot for `key` if one is free, else says how long to wait. Redis failures become a transient AppError. */
  async tryTake(key: string): Promise<TakeResult> {
    const redisKey = `${this.opts.prefix}:${key}`;
    const member = `${this.instance}:${++this.seq}`;
    let wait: number;
    try {
      wait = Number(await this.run('take', redisKey, [this.opts.limit, this.opts.windowMs, member, this.opts.leaseMs ?? 30_000]));
    } catch (err) {
      throw transient(
        AITABLE_ERROR_CODES.limiterUnavailable,
        `The shared AITable rate limiter (Redis) failed for ${key}: ${err instanceof Error ? err.message : String(err)}`,
        { details: { key } },
      );
    }
    if (wait > 0) return { granted: false, waitMs: wait };
    return {
      granted: true,
      slot: {
        // Best effort: if Redis fails here the slot is freed when its lease runs out.
        settle: () =>
          this.run('settle', redisKey, [member, this.opts.windowMs]).then(
            () => undefined,
            () => undefined,
          ),
      },
    };
  }

  private async run(name: keyof typeof SCRIPTS, key: string, args: (string | number)[]): Promise<unknown> {
    const { src, sha } = SCRIPTS[name];
    try {
      return await this.opts.redis.evalsha(sha, 1, key, ...args);
    } catch (err) {
      // Redis reports an uncached script only through this error prefix.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.opts.redis.eval(src, 1, key, ...args);
    }
  }
}
