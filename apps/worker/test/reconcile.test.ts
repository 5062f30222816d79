import { waitFor } from '@bridge/testkit';
import type { WorkerRuntime } from '../src';
import { cursorKey, readCursor } from '../src/reconcile-cursor';
import { reconcileDatasheet, type ReconcileDeps, type ReconcileOptions } from '../src/use-cases/reconcile-datasheet';
import { add, addLead, createHarness, DS, leadEvent, recordOf, settled, syncRow, type Harness } from './harness';

const DAY = 86_400_000;

describe('reconcile a datasheet', () => {
  let h: Harness;
  let runtime: WorkerRuntime;
  let deps: ReconcileDeps;
  const run = (over: Partial<ReconcileOptions> = {}) => reconcileDatasheet('leads', deps, { overlapMs: 120_000, lookbackMs: DAY, ...over });
  const cursor = () => readCursor(h.redis, cursorKey(h.prefix, DS.leads));
  const portalCreates = async (recordId: string) =>
    (await h.sim.control.requests({ service: 'missionx', method: 'POST', pathIncludes: '/clients' })).filter(
      (r) => (r.body as { customId?: string })?.customId === recordId,
    );
  /** The lead after the worker's write-back landed (the write-back is a modification too). */
  const portalShown = (recordId: string) =>
    waitFor(
      async () => {
        const r = await recordOf(h, DS.leads, recordId);
        return r?.fields['Portal URL'] ? r : undefined;
      },
      { what: `lead ${recordId} to show its portal` },
    );

  beforeAll(async () => {
    h = await createHarness();
    runtime = await h.start();
    deps = { ...runtime.deps, queues: h.queues, queuePrefix: h.prefix };
  });
  beforeEach(() => h.redis.del(cursorKey(h.prefix, DS.leads)));
  afterAll(() => h.close());

  it('when a lead was added by a user and no webhook came, then a run enqueues it, the worker makes its portal, and the cursor moves to its modification time', async () => {
    const recordId = await addLead(h);
    const added = await recordOf(h, DS.leads, recordId);

    const first = await run();

    const mine = first.records.find((r) => r.recordId === recordId);
    expect(mine).toMatchObject({ outcome: 'enqueued', updatedAt: added!.updatedAt });
    expect(first.cursorBefore).toBeNull();
    expect(first.cursorAfter).toBe(Math.max(...first.records.map((r) => r.updatedAt)));
    expect(await cursor()).toBe(first.cursorAfter);
    const { state, job } = await settled(h, 'leads', mine!.jobId!);
    expect(state).toBe('completed');
    expect(job.data).toMatchObject({
      eventType: 'record.updated',
      datasheetId: DS.leads,
      recordId,
      fields: { Email: 'ada@analytical.example' },
    });
    expect(String(job.data.requestId)).toMatch(/^reconcile-[0-9a-f-]{36}$/);
    expect(job.returnvalue).toBe('synced');
    expect(await syncRow(h, DS.leads, recordId)).toMatchObject({ syncStatus: 'success', active: true });
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
    const counted = await runtime.deps.metrics.reconciledRecords.get();
    expect(counted.values).toContainEqual(expect.objectContaining({ labels: { datasheet: DS.leads, outcome: 'enqueued' } }));
  });

  it('when nothing changed since the last run, then the next run lists the record again (overlap) but enqueues nothing', async () => {
    const recordId = await addLead(h);
    const first = await run();
    await settled(h, 'leads', first.records.find((r) => r.recordId === recordId)!.jobId!);
    await portalShown(recordId);
    // The write-back is a modification: one more run feeds it (the flow skips it), then nothing is new.
    const second = await run();
    const echo = second.records.find((r) => r.recordId === recordId);
    expect(echo?.outcome).toBe('enqueued');
    expect((await settled(h, 'leads', echo!.jobId!)).job.returnvalue).toBe('skipped_own_write_back');

    const third = await run();

    expect(third.records.find((r) => r.recordId === recordId)?.outcome).toBe('duplicate');
    expect(third.enqueued).toBe(0);
    expect(third.cursorAfter).toBe(second.cursorAfter);
  });

  it('when a lead is modified again after a run, then the next run picks it up and the worker updates its portal', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', (await run()).records.find((r) => r.recordId === recordId)!.jobId!);
    await portalShown(recordId);
    await run(); // the write-back, skipped by the flow
    await h.sim.control.updateRecordAsUser(DS.leads, recordId, { Company: 'Difference Engines Ltd' });

    const again = await run();

    const mine = again.records.find((r) => r.recordId === recordId && r.outcome === 'enqueued');
    expect(mine).toBeDefined();
    expect((await settled(h, 'leads', mine!.jobId!)).job.returnvalue).toBe('synced');
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toEqual([
      expect.objectContaining({ title: 'Difference Engines Ltd' }),
    ]);
    expect(await portalCreates(recordId)).toHaveLength(1);
  });

  it('when a record was last modified before the cursor minus the overlap, then a run does not list it; within the overlap it is listed as a duplicate', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', (await run()).records.find((r) => r.recordId === recordId)!.jobId!);
    await portalShown(recordId);
    // The write-back is the lead's last modification; this run feeds it (the flow skips it).
    const last = (await run()).records.find((r) => r.recordId === recordId)!;
    await settled(h, 'leads', last.jobId!);
    const modified = last.updatedAt;
    // A later sync moved the cursor a minute past this record's last modification.
    await h.redis.set(cursorKey(h.prefix, DS.leads), String(modified + 60_000));

    const outside = await run({ overlapMs: 30_000 });
    const inside = await run({ overlapMs: 90_000 });

    expect(outside.from).toBe(modified + 30_000);
    expect(outside.records.map((r) => r.recordId)).not.toContain(recordId);
    expect(inside.records.find((r) => r.recordId === recordId)?.outcome).toBe('duplicate');
  });

  it('when a lead that already has its portal is fed again by a run, then no second portal is made and MissionX is not asked to create one', async () => {
    const recordId = await addLead(h);
    await settled(h, 'leads', await add(h, 'leads', leadEvent(recordId)));
    await portalShown(recordId);
    expect(await portalCreates(recordId)).toHaveLength(1);

    const refed = (await run()).records.find((r) => r.recordId === recordId);

    expect(refed?.outcome).toBe('enqueued');
    const { state, job } = await settled(h, 'leads', refed!.jobId!);
    expect(state).toBe('completed');
    expect(job.returnvalue).toBe('skipped_own_write_back');
    expect(await portalCreates(recordId)).toHaveLength(1);
    expect((await h.sim.control.missionxClients()).filter((c) => c.customId === recordId)).toHaveLength(1);
  });

  it('when there is no cursor yet, then the run looks back only the configured look-back from now', async () => {
    const recordId = await addLead(h);
    const modified = (await recordOf(h, DS.leads, recordId))!.updatedAt;
    const now = () => modified + 3_600_000; // a clock an hour after the lead was added

    const short = await run({ lookbackMs: 1_800_000, now, dryRun: true });
    const long = await run({ lookbackMs: 2 * 3_600_000, now, dryRun: true });

    expect(short.from).toBe(modified + 1_800_000);
    expect(short.records.map((r) => r.recordId)).not.toContain(recordId);
    expect(long.records.map((r) => r.recordId)).toContain(recordId);
  });

  it('when it is a dry run, then it lists what would be enqueued, enqueues nothing and leaves the cursor unset', async () => {
    const recordId = await addLead(h);
    const jobsBefore = await h.queues.leads.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');

    const dry = await run({ dryRun: true });

    expect(dry.records.find((r) => r.recordId === recordId)).toEqual({ recordId, updatedAt: expect.any(Number), outcome: 'would_enqueue' });
    expect(dry.enqueued).toBe(0);
    expect(await h.queues.leads.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(jobsBefore);
    expect(await cursor()).toBeNull();
    expect(dry.cursorAfter).toBeNull();
  });

  it('when AITable fails while listing, then the run throws and the cursor does not move', async () => {
    await h.redis.set(cursorKey(h.prefix, DS.leads), '1000');
    await h.sim.control.injectFault({
      service: 'aitable',
      method: 'GET',
      pathIncludes: DS.leads,
      kind: 'envelope_error',
      code: 400,
      count: 1,
    });

    await expect(run()).rejects.toThrow();
    expect(await cursor()).toBe(1000);
  });
});
