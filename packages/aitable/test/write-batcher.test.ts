import { AITABLE_ERROR_CODES, MAX_RECORDS_PER_READ } from '@bridge/aitable';
import { uniquePrefix, waitFor } from '@bridge/testkit-base';
import { AitableHarness, LEADS, failure } from './helpers';

interface WriteBody {
  records: { recordId?: string; fields: Record<string, unknown> }[];
}

describe('AitableClient write batching', () => {
  const h = new AitableHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.resetUnthrottled());
  const fast = (over = {}) => h.fastClient(over);
  const seedLeads = (n: number) => h.seedLeads(n);
  const writes = async (method: string) =>
    (await h.sim.control.requests({ service: 'aitable', method, pathIncludes: LEADS })).map((r) => ({
      status: r.status,
      body: r.body as WriteBody,
    }));

  it('when 25 jobs update one record each at once, then at most 3 PATCH requests of ≤10 records are sent and every caller gets its own record', async () => {
    const { client } = fast();
    const ids = await seedLeads(25);
    const results = await Promise.all(ids.map((id, i) => client.updateRecord(LEADS, id, { Company: `Company ${i}` })));
    results.forEach((record, i) => {
      expect(record.recordId).toBe(ids[i]);
      expect(record.fields.Company).toBe(`Company ${i}`);
    });
    const patches = await writes('PATCH');
    expect(patches.length).toBeLessThanOrEqual(3);
    expect(patches.every((p) => p.body.records.length <= 10)).toBe(true);
    expect(patches.flatMap((p) => p.body.records.map((r) => r.recordId)).sort()).toEqual([...ids].sort());
  });

  it('when backfill (bulk) updates are pending and a live update comes, then the live one leaves in the next request', async () => {
    const { client } = fast();
    const ids = await seedLeads(31);
    const live = ids.at(-1)!;
    const bulk = ids.slice(0, 30).map((id) => client.updateRecord(LEADS, id, { Status: 'Qualified' }, { bulk: true }));
    await client.updateRecord(LEADS, live, { Status: 'Qualified' });
    await Promise.all(bulk);
    const patches = (await writes('PATCH')).map((p) => p.body.records.map((r) => r.recordId));
    // The first bulk request may already be on its way; the live update is in the one after it at the latest.
    expect(patches.findIndex((p) => p.includes(live))).toBeLessThanOrEqual(1);
    expect(patches.length).toBeGreaterThanOrEqual(4);
  });

  it("when a backfill's (bulk) updates come one at a time, then they wait for each other and leave 10 to a request, the rest once they stop coming", async () => {
    // The default quiet time (1 s) between calls a tick apart: a loaded machine cannot stretch a tick that far.
    const { client } = fast();
    const ids = await seedLeads(25);
    // One at a time, as jobs reach their write-back: with a slot free, a live call would go alone at once.
    const bulk: Promise<unknown>[] = [];
    for (const id of ids) {
      bulk.push(client.updateRecord(LEADS, id, { Status: 'Qualified' }, { bulk: true }));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(bulk);
    expect((await writes('PATCH')).map((p) => p.body.records.length)).toEqual([10, 10, 5]);
  });

  it('when one update in a batch names an unknown record, then only that caller fails and the others are written', async () => {
    const { client } = fast();
    const ids = await seedLeads(4);
    const targets = [ids[0], ids[1], 'recDoesNotExist', ids[2], ids[3]] as string[];
    const settled = await Promise.allSettled(targets.map((id) => client.updateRecord(LEADS, id, { Status: 'Qualified' })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: AITABLE_ERROR_CODES.badRequest, kind: 'permanent' });
    const stored = await h.sim.control.records(LEADS);
    expect(stored.every((r) => r.fields.Status === 'Qualified')).toBe(true);
    // The batch of 5 was refused as a whole, then each record went alone.
    expect((await writes('PATCH')).map((p) => p.body.records.length)).toEqual([5, 1, 1, 1, 1, 1]);
  });

  it('when 12 records are created at once, then 2 POST requests carry them and each caller gets the record with its own fields', async () => {
    const { client } = fast();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.createRecord(LEADS, { 'Client Name': `New ${i}` })));
    expect(results.map((r) => r.fields['Client Name'])).toEqual(Array.from({ length: 12 }, (_, i) => `New ${i}`));
    expect(new Set(results.map((r) => r.recordId)).size).toBe(12);
    expect((await writes('POST')).map((p) => p.body.records.length)).toEqual([10, 2]);
  });

  it('when one create in a batch has a wrong value type, then only that caller fails', async () => {
    const { client } = fast();
    const settled = await Promise.allSettled([
      client.createRecord(LEADS, { 'Client Name': 'Good 1' }),
      client.createRecord(LEADS, { 'Client Name': 42 }),
      client.createRecord(LEADS, { 'Client Name': 'Good 2' }),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await h.sim.control.records(LEADS)).map((r) => r.fields['Client Name'])).toEqual(['Good 1', 'Good 2']);
  });

  it('when the same record is updated twice at once, then the updates go in separate requests, in call order', async () => {
    const { client } = fast();
    const [id] = await seedLeads(1);
    const [first, second] = await Promise.all([
      client.updateRecord(LEADS, id as string, { Status: 'Contacted' }),
      client.updateRecord(LEADS, id as string, { Status: 'Won' }),
    ]);
    expect([first.fields.Status, second.fields.Status]).toEqual(['Contacted', 'Won']);
    expect((await h.sim.control.records(LEADS))[0]?.fields.Status).toBe('Won');
    expect(await writes('PATCH')).toHaveLength(2);
  });

  it('when a batch fails transiently, then every caller of that batch gets the transient error', async () => {
    const { client } = fast();
    const ids = await seedLeads(3);
    await h.sim.control.injectFault({ service: 'aitable', method: 'PATCH', kind: 'status', status: 503, count: 1 });
    const errors = await Promise.all(ids.map((id) => failure(client.updateRecord(LEADS, id, { Company: 'X' }))));
    expect(errors.map((e) => (e as { kind: string }).kind)).toEqual(['transient', 'transient', 'transient']);
    expect(await writes('PATCH')).toHaveLength(1);
  });

  it('when writes are in flight, then flush resolves only once each of them has its answer', async () => {
    const { client } = fast();
    const ids = await seedLeads(3);
    let answered = 0;
    const pending = ids.map((id) => client.updateRecord(LEADS, id, { Company: 'Flushed' }).then(() => answered++));
    await client.flush();
    expect(answered).toBe(3);
    await Promise.all(pending);
  });

  it('when no rate-limit slot is free, then the writes that arrive while one waits leave together once a slot opens', async () => {
    const { client, seen } = h.client({ rateLimitPerSecond: 1, rateLimitPrefix: uniquePrefix('one-per-second') });
    const ids = await seedLeads(10);
    const [first, ...rest] = ids as [string, ...string[]];
    await client.updateRecord(LEADS, first, { Company: 'alone' }); // takes the only slot of this second
    const waitsBefore = seen.waits.length;
    const waiting = client.updateRecord(LEADS, rest[0] as string, { Company: 'waits' });
    await waitFor(() => seen.waits.length > waitsBefore, { intervalMs: 5, what: 'the write to wait for a slot' });
    // The lane is waiting for a slot; these join the write that is waiting instead of queuing behind it.
    await Promise.all([waiting, ...rest.slice(1).map((id) => client.updateRecord(LEADS, id, { Company: 'joined' }))]);
    expect((await writes('PATCH')).map((p) => p.body.records.length)).toEqual([1, 9]);
  });
});

describe('AitableClient read batching', () => {
  const h = new AitableHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());
  beforeEach(() => h.resetUnthrottled());

  it('when 25 records are read at once, then at most 3 GET requests by recordIds carry them and each caller gets its own', async () => {
    const { client } = h.fastClient();
    const ids = await h.seedLeads(25);
    const records = await Promise.all(ids.map((id) => client.getRecord(LEADS, id)));
    expect(records.map((r) => r.recordId)).toEqual(ids);
    const gets = await h.sim.control.requests({ service: 'aitable', method: 'GET', pathIncludes: LEADS });
    expect(gets.length).toBeLessThanOrEqual(3);
    expect(gets.flatMap((g) => String(g.query.recordIds).split(',')).sort()).toEqual([...ids].sort());
  });

  const reads = async () =>
    (await h.sim.control.requests({ service: 'aitable', method: 'GET', pathIncludes: LEADS })).map((g) =>
      String(g.query.recordIds).split(','),
    );

  it(`when a backfill's jobs re-read 250 records, then ${MAX_RECORDS_PER_READ} go in one GET and the rest in a second once no more come`, async () => {
    const { client } = h.fastClient({ bulkQuietMs: 50 });
    const ids = await h.seedLeads(250);
    const records = await Promise.all(ids.map((id) => client.getRecord(LEADS, id, { bulk: true })));
    expect(records.map((r) => r.recordId)).toEqual(ids);
    expect((await reads()).map((g) => g.length)).toEqual([MAX_RECORDS_PER_READ, 250 - MAX_RECORDS_PER_READ]);
  });

  it('when bulk reads wait for a full request and a live read comes, then the live read goes at once and takes them along', async () => {
    // Quiet and wait bounds far beyond the test's timeout: only the live read can send the bulk ones.
    const { client } = h.fastClient({ bulkQuietMs: 600_000, bulkMaxWaitMs: 600_000 });
    const ids = await h.seedLeads(31);
    const bulk = ids.slice(0, 30).map((id) => client.getRecord(LEADS, id, { bulk: true }));
    await new Promise((r) => setTimeout(r, 50));
    expect(await reads()).toEqual([]);
    const live = await client.getRecord(LEADS, ids[30] as string);
    expect(live.recordId).toBe(ids[30]);
    await Promise.all(bulk);
    const [only, ...more] = await reads();
    expect(more).toEqual([]);
    expect(only?.[0]).toBe(ids[30]);
    expect([...(only ?? [])].sort()).toEqual([...ids].sort());
  });

  it('when one read in a batch names an unknown record, then only that caller gets not-found', async () => {
    const { client } = h.fastClient();
    const ids = await h.seedLeads(3);
    const settled = await Promise.allSettled([...ids, 'recNope123'].map((id) => client.getRecord(LEADS, id)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: AITABLE_ERROR_CODES.recordNotFound, kind: 'permanent' });
  });
});
