import { AppError } from '@bridge/errors';
import {
  aitableEventJobSchema,
  createQueues,
  closeQueues,
  createRedis,
  enqueue,
  type BridgeQueues,
  type RedisConnection,
} from '@bridge/queues';
import { TEST_REDIS_URL, uniquePrefix, waitFor } from '@bridge/testkit-base';
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';

const event = (over: Record<string, unknown> = {}) => ({
  kind: 'aitable.event' as const,
  deliveryId: randomUUID(),
  requestId: 'req-1',
  receivedAt: new Date().toISOString(),
  eventType: 'record.created' as const,
  datasheetId: 'dstLeads',
  recordId: 'rec1',
  ...over,
});

describe('enqueue', () => {
  let redis: RedisConnection;
  let queues: BridgeQueues;
  const prefix = uniquePrefix('enqueue');

  beforeAll(() => {
    redis = createRedis(TEST_REDIS_URL, 'worker');
    queues = createQueues({ connection: redis, prefix });
  });
  afterAll(async () => {
    await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
    await closeQueues(queues);
    await redis.quit();
  });

  it('when a job is added with our id, then it is stored under that id and is not a duplicate', async () => {
    const id = randomUUID();
    const r = await enqueue(queues.leads, event(), { jobId: id, dedupKey: `k-${id}`, dedupTtlMs: 60_000 });
    expect(r).toEqual({ jobId: id, duplicate: false });
    expect((await queues.leads.getJob(id))?.data.recordId).toBe('rec1');
  });

  it('when the same dedup key comes again within the window, then the first job id is returned as a duplicate', async () => {
    // Counted against what was there before, so the test does not depend on the others having run.
    const before = await queues.leads.getJobCountByTypes('wait', 'delayed', 'active');
    const first = await enqueue(queues.leads, event(), { jobId: randomUUID(), dedupKey: 'same', dedupTtlMs: 60_000 });
    const second = await enqueue(queues.leads, event(), { jobId: randomUUID(), dedupKey: 'same', dedupTtlMs: 60_000 });
    expect(second).toEqual({ jobId: first.jobId, duplicate: true });
    expect(await queues.leads.getJobCountByTypes('wait', 'delayed', 'active')).toBe(before + 1);
  });

  it('when the dedup window has passed, then the same key makes a new job', async () => {
    const first = await enqueue(queues.orders, event(), { jobId: randomUUID(), dedupKey: 'short', dedupTtlMs: 30 });
    // The key's Redis TTL is the window: wait for Redis to expire it rather than for a fixed time.
    await waitFor(async () => (await queues.orders.getDeduplicationJobId('short')) === null, { what: 'the dedup key to expire' });
    const second = await enqueue(queues.orders, event(), { jobId: randomUUID(), dedupKey: 'short', dedupTtlMs: 30 });
    expect(second.duplicate).toBe(false);
    expect(second.jobId).not.toBe(first.jobId);
  });

  it('when a key has no window, then it holds while its job waits, a change during the run gets one follow-up run, and later is new work', async () => {
    // The audit-results queue has its own worker here, which holds each job until released.
    const key = `content-${randomUUID()}`;
    const releases: (() => void)[] = [];
    const ran: string[] = [];
    const connection = createRedis(TEST_REDIS_URL, 'worker');
    const worker = new Worker(
      'audit-results',
      async (job) => {
        ran.push(String(job.id));
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      { connection, prefix, autorun: false },
    );
    try {
      const add = (recordId: string) => enqueue(queues['audit-results'], event({ recordId }), { jobId: randomUUID(), dedupKey: key });
      const first = await add('recWaiting');
      expect(await add('recWaiting')).toEqual({ jobId: first.jobId, duplicate: true });

      void worker.run();
      await waitFor(() => ran.length === 1, { what: 'the first job to start' });
      const duringRun = await add('recDuringRun');
      expect(duringRun).toEqual({ jobId: first.jobId, duplicate: true });
      releases.shift()!();
      await waitFor(() => ran.length === 2, { what: 'the follow-up run of the change that came during the first' });
      expect(((await queues['audit-results'].getJob(ran[1]!))?.data as { recordId?: string }).recordId).toBe('recDuringRun');
      releases.shift()!();
      await waitFor(async () => (await queues['audit-results'].getDeduplicationJobId(key)) === null, { what: 'the key to be released' });

      expect((await add('recLater')).duplicate).toBe(false);
    } finally {
      for (const release of releases) release();
      await worker.close(true);
      await connection.quit();
    }
  });

  it('when the payload nests too deep to serialise while Redis is healthy, then a permanent 422 error and no job, never "try again"', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const id = randomUUID();
    const err = await enqueue(queues.leads, event({ fields: { Notes: deep } }), { jobId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'job_not_storable', kind: 'permanent', httpStatus: 422, cause: expect.any(RangeError) });
    expect(await queues.leads.getJob(id)).toBeUndefined();
  });

  it('when a job carries an id longer than the id limit, then the worker payload schema refuses it', () => {
    const parsed = aitableEventJobSchema.safeParse(event({ recordId: `rec${'x'.repeat(3000)}` }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['recordId']);
  });
});
