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
 *
 * Live work goes first across processes: a live caller that finds the window full leaves its
 * ticket in a second sorted set (KEYS[2]) until the slot it waits for should have freed, plus one
 * window, and while any ticket is there no bulk caller is granted a slot. A ticket is removed
 * when its caller gets a slot; one whose caller gave up or died simply runs out.
 * ARGV: limit, window, slot member, lease, priority (`live` | `bulk`), ticket (live callers).
 * Returns 0 when the slot is taken, else the milliseconds until it is worth asking again.
 */
const TAKE = `
local key = KEYS[1]
local tickets = KEYS[2]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[4])
local live = ARGV[5] == 'live'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
redis.call('ZREMRANGEBYSCORE', tickets, '-inf', now)
local free = redis.call('ZCARD', key) < limit
if free and (live or redis.call('ZCARD', tickets) == 0) then
  redis.call('ZADD', key, now + lease, ARGV[3])
  redis.call('PEXPIRE', key, window + lease)
  if live then redis.call('ZREM', tickets, ARGV[6]) end
  return 0
end
local wait = window
if not free then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if tonumber(oldest[2]) <= now then wait = tonumber(oldest[2]) + window - now end
end
if wait < 1 then wait = 1 end
if live then
  redis.call('ZADD', tickets, now + wait + window, ARGV[6])
  if redis.call('PTTL', tickets) < wait + window then redis.call('PEXPIRE', tickets, wait + window) end
elseif free then
  -- A live caller is about to take the free slot: look again soon, then wait for the next one.
  wait = 25
end
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

/**
 * Whose request it is: `live` (a webhook's job, anything a person waits for) goes before `bulk`
 * (a backfill) in every process. A live caller keeps one `ticket` for all its tries, so its place
 * in line is kept between them.
 */
export type TakePriority = { priority: 'live'; ticket: string } | { priority: 'bulk' };

/** A rate limit shared through Redis by every process that uses the same prefix. */
export class SlidingWindowLimiter {
  private readonly instance = randomBytes(6).toString('hex');
  private seq = 0;

  constructor(private readonly opts: SlidingWindowLimiterOptions) {}

  /** A ticket for a live caller's tries (see {@link TakePriority}). */
  ticket(): string {
    return `${this.instance}:t${++this.seq}`;
  }

  /**
   * Takes a slot for `key` if one is free and no live caller is waiting ahead of a bulk one, else
   * says how long to wait. Redis failures become a transient AppError.
   */
  async tryTake(key: string, who: TakePriority = { priority: 'live', ticket: this.ticket() }): Promise<TakeResult> {
    // One hash tag per key, so the slots and the tickets share a Redis Cluster slot.
    const redisKey = `${this.opts.prefix}:{${key}}`;
    const member = `${this.instance}:${++this.seq}`;
    const ticket = who.priority === 'live' ? who.ticket : '';
    let wait: number;
    try {
      wait = Number(
        await this.run(
          'take',
          [redisKey, `${redisKey}:live`],
          [this.opts.limit, this.opts.windowMs, member, this.opts.leaseMs ?? 30_000, who.priority, ticket],
        ),
      );
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
          this.run('settle', [redisKey], [member, this.opts.windowMs]).then(
            () => undefined,
            () => undefined,
          ),
      },
    };
  }

  private async run(name: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<unknown> {
    const { src, sha } = SCRIPTS[name];
    try {
      return await this.opts.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      // Redis reports an uncached script only through this error prefix.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.opts.redis.eval(src, keys.length, ...keys, ...args);
    }
  }
}
