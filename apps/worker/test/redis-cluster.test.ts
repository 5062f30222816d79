import { SlidingWindowLimiter } from '@bridge/aitable';
import { loadConfig, redisTopology } from '@bridge/config';
import { withRecordLock } from '@bridge/locks';
import {
  createQueues,
  closeQueues,
  createReconcileQueue,
  createRedis,
  enqueue,
  queuePrefix,
  QUEUE_NAMES,
  waitForReplicas,
  type RedisConnection,
} from '@bridge/queues';
import { ClusterTopology, uniquePrefix, waitFor } from '@bridge/testkit';
import { Worker } from 'bullmq';
import { advanceCursor, cursorKey, readCursor } from '../src/reconcile-cursor';
import { burstDuring, sendLeads, expectKeptPromises, startFailoverWorld, type FailoverWorld, type Sent } from './failover';
import { leadEvent } from './harness';

/**
 * Redis Cluster from real processes: three primaries with one replica each. Every script and
 * multi-key command the bridge issues runs here, where keys of one operation in two slots fail
 * with CROSSSLOT; then the real flow loses a primary mid-burst.
 */
describe('Redis Cluster', () => {
  let topology: ClusterTopology;
  let redis: RedisConnection;

  beforeAll(async () => {
    topology = await ClusterTopology.start();
    redis = createRedis(clusterTarget(), 'coordination');
    // Commands sent while the client still talks to its seed nodes can meet a seed connection it closes.
    await waitFor(() => redis.status === 'ready', { what: 'the cluster client to be ready' });
  }, 120_000);
  const clusterTarget = () => redisTopology(loadConfig({ ...topology.env, DATABASE_URL: 'postgresql://unused@127.0.0.1/none' }, []));
  afterAll(async () => {
    await redis?.quit().catch(() => redis.disconnect());
    await topology?.stop();
  });

  it('when each queue gets its prefix, then it is one hash tag per queue, so the queues spread over slots', async () => {
    const prefixes = QUEUE_NAMES.map((q) => queuePrefix('bridge', q, redis));
    expect(prefixes).toEqual(['{bridge-leads}', '{bridge-orders}', '{bridge-audit-results}']);
    const slots = await Promise.all(prefixes.map((p) => redis.cluster('KEYSLOT', `${p}:x`)));
    expect(new Set(slots).size).toBe(3);
    // A prefix that is already a tag is the user's choice: every queue in its slot.
    expect(queuePrefix('{bridge}', 'leads', redis)).toBe('{bridge}');
  });

  it('when the locks, the rate limiter and the reconcile cursor run their scripts, then each works on a Cluster', async () => {
    const prefix = uniquePrefix('cluster');
    const ran = await withRecordLock(redis, 'recA', { ttlMs: 300, busyDelayMs: 10, prefix: `${prefix}:lock` }, async () => {
      // Longer than a third of the TTL, so the renewal script runs at least once.
      await new Promise((r) => setTimeout(r, 400));
      return 'done';
    });
    expect(ran).toBe('done');
    expect(await redis.exists(`${prefix}:lock:recA`)).toBe(0);

    const limiter = new SlidingWindowLimiter({ redis, prefix: `${prefix}:rl`, limit: 2, windowMs: 1000 });
    const taken = [await limiter.tryTake('dstA'), await limiter.tryTake('dstA'), await limiter.tryTake('dstA')];
    expect(taken.map((t) => t.granted)).toEqual([true, true, false]);
    for (const t of taken) if (t.granted) await t.slot.settle();

    const key = cursorKey(prefix, 'dstLeads');
    expect(await advanceCursor(redis, key, 5)).toBe(5);
    expect(await advanceCursor(redis, key, 3)).toBe(5);
    expect(await readCursor(redis, key)).toBe(5);
  });

  it('when jobs are added with and without dedup and a worker runs them, then BullMQ scripts work and WAIT reaches a replica', async () => {
    const prefix = uniquePrefix('cluster');
    const queues = createQueues({ connection: redis, prefix });
    const workerConn = createRedis(clusterTarget(), 'worker');
    const seen: string[] = [];
    const worker = new Worker('leads', async (job) => void seen.push(job.id!), {
      connection: workerConn,
      prefix: queuePrefix(prefix, 'leads', workerConn),
    });
    try {
      const first = await enqueue(queues.leads, leadEvent('recC1'), { jobId: 'j1', dedupKey: 'k1', dedupTtlMs: 60_000 });
      const again = await enqueue(queues.leads, leadEvent('recC1'), { jobId: 'j2', dedupKey: 'k1', dedupTtlMs: 60_000 });
      const active = await enqueue(queues.leads, leadEvent('recC2'), { jobId: 'j3', dedupKey: 'k2' });
      expect([first, again, active]).toEqual([
        { jobId: 'j1', duplicate: false },
        { jobId: 'j1', duplicate: true },
        { jobId: 'j3', duplicate: false },
      ]);
      expect(await waitForReplicas(redis, `${queuePrefix(prefix, 'leads', redis)}:leads`, 1, 2000)).toBe(1);
      await waitFor(() => seen.length === 2, { what: 'both jobs to run' });
      expect(seen.sort()).toEqual(['j1', 'j3']);
      expect(await queues.leads.getJobCounts('completed')).toEqual({ completed: 2 });
    } finally {
      await worker.close();
      await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
      await closeQueues(queues);
      await workerConn.quit().catch(() => workerConn.disconnect());
    }
  });

  describe('when the primary of the leads queue is SIGKILLed mid-burst', () => {
    let w: FailoverWorld;
    beforeAll(async () => {
      w = await startFailoverWorld(topology.env);
    }, 60_000);
    afterAll(() => w?.close());

    it('then no 202 is lost or doubled and the worker goes on with the promoted replica', async () => {
      const sent: Sent[] = await sendLeads(w, 'before', 5);
      expect(sent.map((s) => s.status)).toEqual([202, 202, 202, 202, 202]);

      const leadsKey = `${queuePrefix(w.h.prefix, 'leads', redis)}:leads`;
      let old = 0;
      let promoted = 0;
      sent.push(
        ...(await burstDuring(w, 'during', 250, async () => {
          old = await topology.killPrimaryOf(leadsKey);
          promoted = await topology.waitForFailover(leadsKey, old);
        })),
      );
      await topology.restart(old);
      await topology.waitForReplicaOf(promoted);
      const after = await sendLeads(w, 'after', 5);
      expect(after.map((s) => s.status)).toEqual([202, 202, 202, 202, 202]);
      sent.push(...after);
      await expectKeptPromises(w, sent);
      // The reconcile run its scheduler made at start-up (scheduler script, cursor) completed on the Cluster too.
      const reconcile = createReconcileQueue({ connection: redis, prefix: w.h.prefix });
      try {
        await waitFor(async () => (await reconcile.getJobCounts('completed')).completed! >= 1, { what: 'a completed reconcile run' });
      } finally {
        await reconcile.close();
      }
    }, 180_000);
  });
});
