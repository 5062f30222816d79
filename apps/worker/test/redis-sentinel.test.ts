import { pingRedis } from '@bridge/queues';
import { SentinelTopology, waitFor } from '@bridge/testkit';
import { burstDuring, sendLeads, deliveryRow, expectKeptPromises, startFailoverWorld, type FailoverWorld, type Sent } from './failover';

/**
 * Redis Sentinel from real processes: a primary, a replica and three sentinels. The primary is
 * SIGKILLed in the middle of a burst; ingest holds requests through the election, WAIT keeps
 * every 202 on a replica, and the worker carries on against the new primary.
 */
describe('Redis Sentinel: a primary SIGKILLed mid-burst', () => {
  let topology: SentinelTopology;
  let w: FailoverWorld;

  beforeAll(async () => {
    topology = await SentinelTopology.start();
    w = await startFailoverWorld(topology.env);
  }, 120_000);
  afterAll(async () => {
    await w?.close();
    await topology?.stop();
  }, 120_000);

  it('then no 202 is lost or doubled, a job no replica confirmed answers 503 saying so, and the worker goes on with the new primary', async () => {
    // Sentinel mode waits for one replica by default: with it online, every lead is accepted.
    const sent: Sent[] = await sendLeads(w, 'before', 5);
    expect(sent.map((s) => s.status)).toEqual([202, 202, 202, 202, 202]);

    let old = 0;
    let promoted = 0;
    const during = await burstDuring(w, 'during', 250, async () => {
      old = await topology.killPrimary();
      promoted = await topology.waitForFailover(old);
    });
    sent.push(...during);

    // The promoted primary has no replica until the old one is back: WAIT cannot be met.
    // Once ingest's connection has found the new primary, so the add lands and only WAIT can fail.
    await waitFor(() => w.ingest.redis.status === 'ready', { what: 'ingest connected to the new primary' });
    // The held tries of the burst that gave up left their WAITs on ingest's connection, and Redis runs one
    // client's commands in order (each WAIT lasting its whole timeout without a replica): a PING answers
    // once they are through, so the next add is not stuck behind them.
    await waitFor(() => pingRedis(w.ingest.redis, 5000), {
      timeoutMs: 60_000,
      what: "ingest's connection to be through the burst's WAITs",
    });
    const unconfirmed = await w.sendLead('no-replica');
    expect([unconfirmed.status, unconfirmed.retryAfter]).toEqual([503, '5']);
    expect(await deliveryRow(w, unconfirmed.requestId)).toMatchObject({
      outcome: 'rejected',
      reason: 'replica_unconfirmed',
      httpStatus: 503,
    });
    sent.push(unconfirmed);

    await topology.restart(old);
    await topology.waitForReplicaOf(promoted);
    const after = await sendLeads(w, 'after', 5);
    expect(after.map((s) => s.status)).toEqual([202, 202, 202, 202, 202]);
    sent.push(...after);

    // Every request of the burst got an answer a sender can act on: 202, or 503 with Retry-After and a row saying why.
    for (const s of during.filter((d) => d.status !== 202)) {
      expect([s.status, s.retryAfter]).toEqual([503, '5']);
      expect(['queue_unavailable', 'replica_unconfirmed']).toContain((await deliveryRow(w, s.requestId)).reason);
    }
    await expectKeptPromises(w, sent);
  }, 180_000);
});
