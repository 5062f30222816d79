import { randomUUID } from 'node:crypto';
import { throttled, transient } from '@bridge/errors';
import type { Cluster, Redis } from 'ioredis';

/** Stable code of the throttled error thrown when another job holds the record. */
export const RECORD_BUSY = 'record_busy';

// Compare-and-delete / compare-and-extend: a lock is only ever touched by the token that set
// it, so a job whose lock expired cannot release or prolong the lock of the job after it.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** A lock this process holds until `release()` or until its TTL runs out. */
export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** Resets the TTL; false when the lock had already expired (or was taken by someone else). */
  extend(): Promise<boolean>;
  /** Deletes the lock if it is still ours; false when it was not. */
  release(): Promise<boolean>;
}

/** SET NX PX with a random token; null when someone else holds the key. */
export async function tryAcquireLock(redis: Redis | Cluster, key: string, ttlMs: number): Promise<HeldLock | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  return {
    key,
    token,
    extend: async () => (await redis.eval(EXTEND, 1, key, token, String(ttlMs))) === 1,
    release: async () => (await redis.eval(RELEASE, 1, key, token)) === 1,
  };
}

export interface RecordLockOptions {
  /**
   * Lifetime of the lock without renewal; it is renewed every third of it while `fn` runs, so it
   * bounds only how long a crashed holder blocks the record.
   */
  ttlMs: number;
  /** How long the caller should wait when the record is busy (carried by the throttled error). */
  busyDelayMs: number;
  /** Key prefix. @defaultValue `bridge:lock` */
  prefix?: string;
  /** Called when a renewal finds the lock gone (the holder was paused longer than the TTL). */
  onLost?(key: string): void;
}

/**
 * Runs fn while holding the lock of one record. When another job holds it, throws a
 * `throttled` AppError (code `record_busy`) so the job is delayed without spending an attempt.
 */
export async function withRecordLock<T>(redis: Redis | Cluster, name: string, opts: RecordLockOptions, fn: () => Promise<T>): Promise<T> {
  const key = `${opts.prefix ?? 'bridge:lock'}:${name}`;
  let lock: HeldLock | null;
  try {
    lock = await tryAcquireLock(redis, key, opts.ttlMs);
  } catch (err) {
    throw transient('lock_unavailable', `Could not take the lock of ${name}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (!lock) {
    // Jitter spreads out jobs that all wait for the same record.
    const delay = Math.round(opts.busyDelayMs * (0.75 + Math.random() / 2));
    throw throttled(RECORD_BUSY, `${name} is being processed by another job`, delay, { details: { lock: name } });
  }
  const held = lock;
  let lost = false;
  const timer = setInterval(
    () => {
      held.extend().then(
        (ok) => {
          if (!ok && !lost) {
            lost = true;
            opts.onLost?.(name);
          }
        },
        // A failed renewal (Redis down) is retried at the next tick; the TTL covers the gap.
        () => undefined,
      );
    },
    Math.max(50, Math.floor(opts.ttlMs / 3)),
  );
  timer.unref();
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    // Best effort: if Redis is gone the TTL frees the record.
    await held.release().catch(() => false);
  }
}
