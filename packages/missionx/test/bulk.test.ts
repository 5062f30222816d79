import { MAX_PAGE } from '@bridge/missionx';
import { MissionxHarness } from './helpers';

/** Issue 17 part 4: bulk work is polite to MissionX (bounded concurrency, pages of 100); live work is never held back by it. */
describe('MissionX client, bulk calls', () => {
  const h = new MissionxHarness({ latency: { missionx: { ms: 100 } } });
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.sim.control.reset());

  const lead = (i: number) => ({ customId: `recBulk${i}`, title: `Client ${i}`, emailDomains: [`firm${i}.example`] });

  it('when 20 bulk creates are made at once with a concurrency of 3, then MissionX never sees more than 3 requests at once, and sees 3', async () => {
    const { client } = h.client({ bulkConcurrency: 3 });
    const made = await Promise.all(Array.from({ length: 20 }, (_, i) => client.createClient(lead(i), { bulk: true })));
    expect(new Set(made.map((c) => c._id)).size).toBe(20);
    expect((await h.sim.control.inFlight()).missionx.max).toBe(3);
  });

  it('when live creates are made at once beside a bulk cap of 1, then they are not held to it', async () => {
    const { client } = h.client({ bulkConcurrency: 1 });
    await client.createClient(lead(0)); // the token, so the creates below can overlap
    await h.sim.control.reset();
    await Promise.all(Array.from({ length: 10 }, (_, i) => client.createClient(lead(i + 1))));
    expect((await h.sim.control.inFlight()).missionx.max).toBeGreaterThan(1);
  });

  it('when a bulk full scan pages the clients, then every page asks for 100 and the scan stays within the cap', async () => {
    await h.sim.control.seedMissionxClients(250);
    const { client } = h.client({ bulkConcurrency: 1 });
    let seen = 0;
    for await (const page of client.scanClients({ bulk: true })) seen += page.length;
    expect(seen).toBe(250);
    const gets = await h.sim.control.requests({ service: 'missionx', method: 'GET', pathIncludes: '/v2/clients' });
    expect(gets.map((g) => g.query.limit)).toEqual([String(MAX_PAGE), String(MAX_PAGE), String(MAX_PAGE)]);
    expect((await h.sim.control.inFlight()).missionx.max).toBe(1);
  });
});
