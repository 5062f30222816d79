import { AppError } from '@bridge/errors';
import { RECORD_BUSY, tryAcquireLock, withRecordLock } from '@bridge/locks';
import { TEST_REDIS_URL, uniquePrefix, waitFor } from '@bridge/testkit-base';
import IORedis, { type Redis } from 'ioredis';

describe('record lock', () => {
  let redis: Redis;
  const prefix = uniquePrefix('lock');
  const opts = { ttlMs: 300, busyDelayMs: 40, prefix };

  beforeAll(() => {
    redis = new IORedis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('when the key is free, then the first caller gets it and a second caller does not', async () => {
    const a = await tryAcquireLock(redis, `${prefix}:a`, 1000);
    const b = await tryAcquireLock(redis, `${prefix}:a`, 1000);
    expect(a).not.toBeNull();
    expect(b).toBeNull();
    expect(await a?.release()).toBe(true);
  });

  it('when a lock expired and was taken by another holder, then the old holder can neither release nor extend it', async () => {
    const old = await tryAcquireLock(redis, `${prefix}:b`, 30);
    await waitFor(async () => (await redis.exists(`${prefix}:b`)) === 0, { what: 'expiry' });
    const next = await tryAcquireLock(redis, `${prefix}:b`, 1000);
    expect(await old?.release()).toBe(false);
    expect(await old?.extend()).toBe(false);
    expect(await redis.get(`${prefix}:b`)).toBe(next?.token);
  });

  it('when two runs for one record overlap, then the second gets a throttled record_busy error and the first still finishes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = withRecordLock(redis, 'rec1', opts, async () => {
      await gate;
      return 'done';
    });
    await waitFor(async () => (await redis.exists(`${prefix}:rec1`)) === 1, { what: 'lock taken' });
    const second = await withRecordLock(redis, 'rec1', opts, async () => 'ran').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(AppError);
    expect((second as AppError).code).toBe(RECORD_BUSY);
    expect((second as AppError).kind).toBe('throttled');
    expect((second as AppError).retryAfterMs).toBeGreaterThan(0);
    release();
    await expect(first).resolves.toBe('done');
    expect(await redis.exists(`${prefix}:rec1`)).toBe(0);
  });

  it('when the work takes longer than the TTL, then the lock is renewed and nobody else gets in', async () => {
    const seenBusy: unknown[] = [];
    const slow = { ...opts, ttlMs: 600 };
    await withRecordLock(redis, 'rec2', slow, async () => {
      // Three TTLs long: without renewal the key would have expired twice over.
      const until = Date.now() + 3 * slow.ttlMs;
      while (Date.now() < until) {
        seenBusy.push(await withRecordLock(redis, 'rec2', opts, async () => 'ran').catch((e: unknown) => (e as AppError).code));
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    expect(seenBusy.length).toBeGreaterThan(5);
    expect(new Set(seenBusy)).toEqual(new Set([RECORD_BUSY]));
  });

  it('when the work throws, then the lock is released and the error passes through', async () => {
    await expect(withRecordLock(redis, 'rec3', opts, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await redis.exists(`${prefix}:rec3`)).toBe(0);
  });

  it('when the lock is deleted under a running holder, then onLost is called', async () => {
    const lost: string[] = [];
    await withRecordLock(redis, 'rec4', { ...opts, onLost: (k) => lost.push(k) }, async () => {
      await redis.del(`${prefix}:rec4`);
      await waitFor(() => lost.length > 0, { what: 'onLost', timeoutMs: 2000 });
    });
    expect(lost).toEqual(['rec4']);
  });
});
