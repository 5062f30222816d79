import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** The ioredis client a limit counts in (rate-limiter-flexible defines its Lua command on it). */
export type LimitStore = ConstructorParameters<typeof RateLimiterRedis>[0]['storeClient'];

export interface FailureLimitOptions {
  store: LimitStore;
  /** Redis key prefix, so limits of two deployments (or two test files) sharing a Redis stay apart. */
  keyPrefix: string;
  /** Failures allowed per key within `windowSeconds`; the next one is refused. */
  points: number;
  windowSeconds: number;
  /** How long a key that went over stays refused. @defaultValue windowSeconds */
  blockSeconds?: number;
}

/**
 * A count of failures per key (a source address, a user name), shared by every process through
 * Redis. Only failures are counted, so callers can keep it off the path of requests that succeed.
 */
export interface FailureLimit {
  /** Seconds until `key` may try again, or 0 when it is not over its limit. One Redis read. */
  blockedFor(key: string): Promise<number>;
  /** Counts one failure of `key`: seconds until it may try again when this one went over the limit, else 0. */
  fail(key: string): Promise<number>;
  /** Forgets the failures of `key` (a user who logged in). */
  reset(key: string): Promise<void>;
}

const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * A FailureLimit in Redis. When Redis does not answer, each process counts on its own
 * (rate-limiter-flexible's insurance limiter) rather than letting every attempt through.
 * A key that went over is then also refused from this process's memory until its block ends,
 * so a flood from one source costs no Redis round trip per request.
 */
export function createFailureLimit(opts: FailureLimitOptions): FailureLimit {
  const blockDuration = opts.blockSeconds ?? opts.windowSeconds;
  const shape = { points: opts.points, duration: opts.windowSeconds, blockDuration };
  const limiter = new RateLimiterRedis({
    ...shape,
    storeClient: opts.store,
    keyPrefix: opts.keyPrefix,
    inMemoryBlockOnConsumed: opts.points + 1,
    inMemoryBlockDuration: blockDuration,
    insuranceLimiter: new RateLimiterMemory({ ...shape, keyPrefix: opts.keyPrefix }),
  });
  return {
    async blockedFor(key) {
      const res = await limiter.get(key);
      return res && res.consumedPoints > opts.points ? seconds(res) : 0;
    },
    async fail(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (err) {
        if (err instanceof RateLimiterRes) return seconds(err);
        throw err;
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}

/**
 * The source a limit counts per: the client's address as Express read it (`trust proxy` decides
 * whether that is a forwarded one). An IPv6 client is counted by its /64, which one subscriber
 * usually holds whole, so walking through its addresses does not escape the limit.
 */
export function sourceKey(ip: string | undefined): string {
  const addr = (ip ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (isIP(addr) !== 6) return addr || 'unknown';
  const [head = '', tail = ''] = addr.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
