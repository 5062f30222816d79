import { AITABLE_ERROR_CODES, SlidingWindowLimiter } from '@bridge/aitable';
import { toJobDecision } from '@bridge/errors';
import { createRedis } from '@bridge/queues';
import { uniquePrefix, waitFor } from '@bridge/testkit-base';
import { AitableHarness, LEADS, ORDERS, failure, maxPerSecond } from './helpers';

describe('AitableClient rate limiting', () => {
  const h = new AitableHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  it('when two clients sharing Redis fire 30 requests at one datasheet, then no second of the log has more than 5 and no 429 is seen, and another datasheet is not slowed', async () => {
    const a = h.client();
    const b = h.client();
    let leadsDone = 0;
    let leadsDoneWhenOrdersAnswered = -1;
    const burst = Array.from({ length: 30 }, (_, i) =>
      (i % 2 ? a : b).client.listRecords(LEADS, { pageSize: 1 }).then(() => {
        leadsDone++;
      }),
    );
    const orders = a.client.listRecords(ORDERS, { pageSize: 1 }).then(() => {
      leadsDoneWhenOrdersAnswered = leadsDone;
    });
    await Promise.all([...burst, orders]);

    const log = await h.sim.control.requests({ service: 'aitable', pathIncludes: LEADS });
    expect(log).toHaveLength(30);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(maxPerSecond(log.map((r) => r.at))).toBeLessThanOrEqual(5);
    expect([...a.seen.waits, ...b.seen.waits].filter((w) => w.cause === 'limiter' && w.datasheetId === LEADS).length).toBeGreaterThan(0);
    expect(a.seen.waits.filter((w) => w.datasheetId === ORDERS)).toEqual([]);
    expect(leadsDoneWhenOrdersAnswered).toBeLessThan(30);
  });

  it('when many bulk callers of one process wait for one datasheet, then together they keep its window full without a sixth request in any second', async () => {
    const { client } = h.client({ rateLimitPrefix: uniquePrefix('rl-full') });
    const callers = 8;
    const each = 5;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < each; i++) await client.listRecords(LEADS, { pageSize: 1 }, { bulk: true });
      }),
    );
    const at = (await h.sim.control.requests({ service: 'aitable', pathIncludes: LEADS })).map((r) => r.at).sort((a, b) => a - b);
    expect(at).toHaveLength(callers * each);
    expect(maxPerSecond(at)).toBeLessThanOrEqual(5);
    // After the first 5, each further 5 needs one window (1,010 ms) plus a request's time: the
    // theoretical rate is just under 5 a second. Callers that each poll lose slots to one another.
    const perSecond = (at.length - 5) / ((at.at(-1)! - at[0]!) / 1000);
    expect(perSecond).toBeGreaterThanOrEqual(4.5);
  });

  it('when AITable answers 429 a few times, then the call waits with backoff, reports each 429 and succeeds without an error', async () => {
    const { client, seen } = h.client();
    const { recordId } = await h.sim.control.addRecord(LEADS, { 'Client Name': 'Ada' });
    await h.sim.control.injectFault({ service: 'aitable', kind: 'rate_limit', pathIncludes: LEADS, count: 3 });
    const page = await client.listRecords(LEADS);
    expect(page.records.map((r) => r.recordId)).toEqual([recordId]);
    expect(seen.waits.filter((w) => w.cause === 'http_429')).toHaveLength(3);
    // Each 429 is reported, though the client retried it and the call succeeded.
    expect(seen.errorAnswers).toEqual(Array(3).fill({ datasheetId: LEADS, code: 429 }));
    const statuses = (await h.sim.control.requests({ service: 'aitable' })).map((r) => r.status);
    expect(statuses).toEqual([429, 429, 429, 200]);
  });

  it('when AITable keeps answering 429 past the retry bound, then the call ends in a throttled error that delays the job', async () => {
    const { client } = h.client({ throttleRetries: 2, throttleBackoffMs: 40 });
    await h.sim.control.injectFault({ service: 'aitable', kind: 'rate_limit', count: 10 });
    const err = await failure(client.getFields(LEADS));
    expect(err).toMatchObject({ code: AITABLE_ERROR_CODES.throttled, kind: 'throttled', details: { retries: 2 } });
    expect(toJobDecision(err)).toMatchObject({ action: 'delay' });
    expect(await h.sim.control.requests({ service: 'aitable' })).toHaveLength(3);
  });

  it('when no limiter slot frees up within maxLimiterWaitMs, then the call fails as throttled without reaching AITable', async () => {
    const { client } = h.client({ rateLimitPerSecond: 1, maxLimiterWaitMs: 1, rateLimitPrefix: uniquePrefix('rl-cap') });
    await client.getFields(ORDERS);
    expect(await failure(client.getFields(ORDERS))).toMatchObject({ code: AITABLE_ERROR_CODES.throttled, kind: 'throttled' });
    expect(await h.sim.control.requests({ service: 'aitable' })).toHaveLength(1);
  });

  it('when a granted request is still in flight after the window has passed, then its slot stays taken until it is answered', async () => {
    const limiter = new SlidingWindowLimiter({ redis: h.redis, prefix: uniquePrefix('rl-lease'), limit: 1, windowMs: 50, leaseMs: 10_000 });
    const redisMs = async () => Number((await h.redis.time())[0]) * 1000 + Math.floor(Number((await h.redis.time())[1]) / 1000);
    const first = await limiter.tryTake(LEADS);
    if (!first.granted) throw new Error('the first slot must be granted');
    const grantedAt = await redisMs();
    await waitFor(async () => (await redisMs()) > grantedAt + 200, { intervalMs: 10, what: 'four windows to pass' });
    expect(await limiter.tryTake(LEADS)).toMatchObject({ granted: false });
    await first.slot.settle();
    // Answered: the slot now counts from the answer and frees one window later.
    await waitFor(async () => (await limiter.tryTake(LEADS)).granted, { intervalMs: 10, what: 'the settled slot to free up' });
  });

  it('when a live caller waits for a full window, then the slot that frees goes to it and not to a bulk caller, wherever each runs', async () => {
    // Two limiters on one prefix: two processes. A one-second window, so the live caller's ticket outlasts the checks below.
    const prefix = uniquePrefix('rl-priority');
    const backfill = new SlidingWindowLimiter({ redis: h.redis, prefix, limit: 1, windowMs: 1000 });
    const webhooks = new SlidingWindowLimiter({ redis: h.redis, prefix, limit: 1, windowMs: 1000 });
    const redisMs = async () => {
      const [sec, micro] = await h.redis.time();
      return Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    };
    const first = await backfill.tryTake(LEADS, { priority: 'bulk' });
    if (!first.granted) throw new Error('the first slot must be granted');
    await first.slot.settle();
    const settledAt = await redisMs();
    const ticket = webhooks.ticket();
    expect(await webhooks.tryTake(LEADS, { priority: 'live', ticket })).toMatchObject({ granted: false });
    await waitFor(async () => (await redisMs()) > settledAt + 1050, { intervalMs: 20, what: 'the window to pass' });
    // A slot is free now, yet the bulk caller is told to look again soon: a live one is in line.
    expect(await backfill.tryTake(LEADS, { priority: 'bulk' })).toEqual({ granted: false, waitMs: 25 });
    const live = await webhooks.tryTake(LEADS, { priority: 'live', ticket });
    if (!live.granted) throw new Error('the free slot must go to the live caller');
    await live.slot.settle();
    // The live caller served (its ticket gone), bulk callers are granted slots again.
    await waitFor(async () => (await backfill.tryTake(LEADS, { priority: 'bulk' })).granted || undefined, {
      intervalMs: 20,
      what: 'a slot for the bulk caller',
    });
  });

  it('when Redis is unreachable, then the call fails as a transient limiter error instead of waiting for Redis', async () => {
    // The connection the worker gives the limiter: commands queue while Redis is away, but not forever.
    const down = createRedis('redis://127.0.0.1:1', 'coordination', { commandTimeout: 300 });
    try {
      const { client } = h.client({ redis: down });
      expect(await failure(client.getFields(LEADS))).toMatchObject({ code: AITABLE_ERROR_CODES.limiterUnavailable, kind: 'transient' });
    } finally {
      down.disconnect();
    }
  });
});
